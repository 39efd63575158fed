/* vtodo.h - a task as an iCalendar VTODO (RFC 5545) and back, for the
 * CalDAV front end (API.md, "CalDAV"). Pure: APR, jansson and libical
 * only. iCalendar is read and written by libical; this unit decides the
 * mapping onto the task's fields and keeps, byte for byte, what the task
 * does not model, so that a client gets back what it sent.
 *
 * Mapping: SUMMARY title, DESCRIPTION description, STATUS / COMPLETED
 * completed, PRIORITY (1-4 high, 5 medium, 6-9 low, 0 or absent none),
 * DUE due_at and time_zone, CATEGORIES tags, RRULE recurrence, VALARMs
 * with a TRIGGER before the due time or at an instant reminders. UID is
 * the resource's, CREATED / LAST-MODIFIED / DTSTAMP are the server's. */
#ifndef TASKS_CORE_VTODO_H
#define TASKS_CORE_VTODO_H

#include <apr_pools.h>

#include "tasks/core/task.h"

/* The largest body tasks_vtodo_parse reads. */
#define TASKS_VTODO_MAX (1024 * 1024)

/* What a client's VTODO proposes: a task draft (values as tasks_value,
 * judged later by the task rules like a JSON body), its UID, and the text
 * of everything the task does not model, kept to be sent back. */
typedef struct {
    tasks_task_draft draft;
    const char *uid;
    const char *kept;   /* NULL or an iCalendar text fragment: the VTODO's
                           own properties and sub-components we do not map
                           (X- properties, RELATED-TO, GEO, URL, ATTACH,
                           DTSTART, CLASS, SEQUENCE... and VALARMs we cannot
                           express), as the client sent them: content lines
                           unfolded, each ending in CRLF, the properties
                           first (in the client's order), then the
                           components (likewise; their BEGIN and END
                           lines without trailing blanks) */
} tasks_vtodo;

/* How every refusal of tasks_vtodo_parse that is about the components
 * (not one VTODO: none, two, a VEVENT...) begins, so that CalDAV can
 * name its supported-calendar-component precondition rather than
 * valid-calendar-data. */
#define TASKS_VTODO_COMPONENT_REASON "a calendar object here holds "

/* Parse a PUT body: one VCALENDAR holding exactly one VTODO (VTIMEZONEs
 * allowed; any other component, none or two VTODOs: refused). NULL and
 * *out filled (everything in p), or a reason (for the CalDAV 403
 * valid-calendar-data / supported-calendar-component precondition).
 *
 * A VTODO is a whole representation, so every writable field but list_id
 * is in the draft: title from SUMMARY (ABSENT without one: the caller
 * decides, the title rule refuses it), description NULL without
 * DESCRIPTION, completed a BOOL, priority "none" without PRIORITY, due_at
 * NULL without DUE, tags [] without CATEGORIES, recurrence NULL without
 * RRULE, reminders [] without VALARMs we express. time_zone is the DUE's
 * TZID (an IANA name when the TZID or its VTIMEZONE's X-LIC-LOCATION is
 * one; otherwise the TZID as sent, which the zone rule refuses), ABSENT
 * for a DUE in UTC (an instant says nothing of the wall clock the person
 * plans on: the task keeps its zone), "UTC" otherwise (no DUE, a floating
 * DUE or a date, both read in UTC).
 *
 * STATUS:COMPLETED or CANCELLED is completed, NEEDS-ACTION or IN-PROCESS
 * pending; without STATUS a COMPLETED date makes it completed. UID,
 * SUMMARY, DESCRIPTION and CATEGORIES are read as sent (blanks around
 * them kept, which libical would strip); an empty value is no value.
 * Alarms become reminders when a reminder says all they say: ACTION
 * DISPLAY, one TRIGGER (a negative duration related to the end, or to
 * the start when there is no DTSTART; or a UTC date-time), at most a
 * DESCRIPTION; any other is kept.
 *
 * Refused: a body over TASKS_VTODO_MAX bytes, with a NUL, that is not
 * UTF-8, with control characters other than tab, CR and LF or a CR
 * without LF; lines that are not NAME;params:value, BEGIN without its
 * END, anything around the VCALENDAR, components nested deeper than 8,
 * a VTODO holding a VEVENT or the like; what libical cannot read (its
 * errors, except a property name it does not know, which is kept, or an
 * empty value, which is absent); a VTODO without UID; UID, SUMMARY,
 * DESCRIPTION, STATUS, COMPLETED, PRIORITY, DUE or RRULE twice; a
 * PRIORITY outside 0-9; a STATUS that a VTODO cannot have; a DUE that is
 * not a date of years 0001-9999. */
const char *tasks_vtodo_parse(apr_pool_t *p, const char *text, apr_size_t len,
                              tasks_vtodo *out);

/* A task row as a VCALENDAR text (PRODID -//mod_tasks//EN, VERSION 2.0,
 * CRLF line endings, folded at 75 octets as libical does, less its bug
 * of splitting a line's CRLF), with uid and the kept fragment
 * (tasks_vtodo.kept, or NULL) re-inserted into the VTODO: its properties
 * after ours, its components after our VALARMs (RFC 5545's order).
 *
 * DTSTAMP and LAST-MODIFIED are updated_at, CREATED created_at; STATUS
 * COMPLETED with COMPLETED:<completed_at> or NEEDS-ACTION; PRIORITY 1, 5
 * or 9 (none: no PRIORITY); DUE;TZID=<time_zone>:<wall clock> with the
 * zone's VTIMEZONE (from the machine's tz database, by libical) unless
 * the zone is UTC (or one the tz database no longer knows): DUE:...Z;
 * the tags as one CATEGORIES; each reminder a VALARM (ACTION:DISPLAY,
 * DESCRIPTION the title, TRIGGER;RELATED=END:-<duration> or
 * TRIGGER;VALUE=DATE-TIME:<instant>). Control characters but tab and LF
 * are left out of text. In p; NULL for a corrupt row (a value the store
 * never writes) or a kept text that is not content lines with balanced
 * BEGIN / END. */
const char *tasks_vtodo_render(apr_pool_t *p, const tasks_task_row *row,
                               const char *uid, const char *kept);

#endif
