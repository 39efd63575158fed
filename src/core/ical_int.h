/* ical_int.h - what the core's two libical users (recur.c, vtodo.c)
 * share; not part of the core's interface. */
#ifndef TASKS_CORE_ICAL_INT_H
#define TASKS_CORE_ICAL_INT_H

#include <libical/ical.h>

/* The wall-clock time t (its fields; its zone and date flag ignored) on
 * zone's clock as seconds since 1970. A time that a daylight-saving gap
 * skips (02:30 on the day Berlin springs forward) is read with the
 * offset before the gap, as RFC 5545 3.3.5 says, so it lands as far past
 * the gap's start as it was meant to (03:30 summer time); libical reads
 * it with the offset after, an hour earlier. */
long long tasks_ical_wall_clock(struct icaltimetype t, icaltimezone *zone);

#endif
