-- 010: recurring tasks, time zones and reminders (the contract's
-- "Recurring tasks and reminders").
--
-- recurrence is an RRULE value (RFC 5545) as the module normalised it;
-- time_zone the IANA zone its occurrences are computed in; reminders at
-- most ten strings, each a duration before due_at ("PT15M") or an
-- instant ("2026-12-07T08:00:00.000000Z"): only durations start with P.
-- recurrence_start is the series' DTSTART: the due_at a client last gave
-- together with the rule (COUNT counts from it); completing an
-- occurrence moves due_at, not the start. The module computes
-- occurrences (libical); the database only keeps them.
--
-- task_completions is the history of GET /api/tasks/{id}/completions:
-- one row per completed occurrence of a recurring task, gone with its
-- task (the foreign key cascades, as the owner).

ALTER TABLE tasks
    ADD COLUMN recurrence       text
        CHECK (char_length(recurrence) BETWEEN 1 AND 255),
    ADD COLUMN time_zone        text NOT NULL DEFAULT 'UTC'
        CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    ADD COLUMN reminders        text[] NOT NULL DEFAULT '{}'
        CHECK (cardinality(reminders) <= 10),
    ADD COLUMN recurrence_start timestamptz,
    ADD CONSTRAINT tasks_recurrence_needs_due CHECK (recurrence IS NULL OR due_at IS NOT NULL);

-- GET /api/reminders reads a user's pending tasks that have reminders.
CREATE INDEX tasks_reminders_idx ON tasks (user_id) WHERE NOT completed AND reminders <> '{}';

CREATE TABLE task_completions (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      uuid        NOT NULL,
    task_id      bigint      NOT NULL,
    due_at       timestamptz NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (user_id, task_id) REFERENCES tasks (user_id, id) ON DELETE CASCADE
);
CREATE INDEX task_completions_task_idx ON task_completions (user_id, task_id, completed_at, id);
