/* statements.c - the text of every SQL statement of mod_tasks.
 *
 * Arguments are passed as text, but the parameter markers give PostgreSQL
 * their types (apr_dbd: %d integer, %hd smallint, %lld bigint, %pDt text,
 * %pDz timestamptz, %s varchar), so each is parsed once when bound: a
 * "%s::int" in a filter was parsed again for every row under a generic
 * plan. The casts stay, to say what each one is; a literal percent is %%.
 *
 * The task statements are built from the field table (core/task.h): the
 * column list, the INSERT's columns, values and parameters and the
 * UPDATE's assignments and parameters come from it, by each field's kind,
 * so no position can drift. Every task statement is scoped by the
 * caller's user id and checks itself that the caller may still act
 * (CALLER_OK). */
#include "tasks/core/app_password.h"
#include "tasks/core/list.h"
#include "tasks/core/task.h"
#include "store_int.h"

/* Timestamps are either formatted here (TS) or read as seconds since the
 * epoch (EPOCH: a numeric of scale 6), so that no session setting
 * (DateStyle, TimeZone) matters: a statement means the same on any
 * connection, through a transaction pooler too (TasksDBPooling). Task
 * timestamps, the bulk of a page's output, are EPOCH and put into
 * RFC 3339 form in C (tasks_timestamp_from_db): to_char cost PostgreSQL
 * more than the rest of a page, extract() a fifth of it. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
                "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define EPOCH(col) "extract(epoch FROM " col ")"

/* The last migration the statements need (sql/; 005 lets the runtime
 * role's inserts and deletes keep task_counts); the service tests check
 * that it is the last file there. */
#define SCHEMA_VERSION "015_word_search"

/* Applied once to every session under TasksDBPooling session (see
 * conn.c); no statement's meaning depends on it. */
#define SESSION_SETTINGS "SET plan_cache_mode = force_generic_plan"

/* ---- How each kind of field is read, bound and written ---------------- */

/* Its SELECT expression, from column col of "t". */
#define READ_ID(col)       "t." col
#define READ_UUID(col)     "t." col
#define READ_TITLE(col)    "t." col
#define READ_NOTE(col)     "t." col
#define READ_FLAG(col)     "t." col
#define READ_DONE(col)     "t." col
#define READ_PRIORITY(col) "t." col
#define READ_INSTANT(col)  EPOCH("t." col)
#define READ_TIME(col)     EPOCH("t." col)
#define READ_TAGS(col)     "array_to_json(t." col ")"
#define READ_LIST(col)     "t." col
#define READ_RULE(col)     "t." col
#define READ_ZONE(col)     "t." col
#define READ_REMINDERS(col) "array_to_json(t." col ")"
#define READ_VERSION(col)  "t." col
#define READ_LABEL(col)    "t." col
#define READ_KEPT(col)     "t." col

/* Its text as apr_dbd reads it (booleans as "t"/"f", the rest as their
 * text output, which no setting changes): what an idempotency record keeps of a
 * created task, so that its replay is rendered from the very same text. */
#define TEXT_OF(kind, col) "(" READ_##kind(col) ")::text"
#define TEXT_ID(col)       TEXT_OF(ID, col)
#define TEXT_UUID(col)     TEXT_OF(UUID, col)
#define TEXT_TITLE(col)    TEXT_OF(TITLE, col)
#define TEXT_NOTE(col)     TEXT_OF(NOTE, col)
#define TEXT_FLAG(col)     "CASE WHEN " READ_FLAG(col) " THEN 't' ELSE 'f' END"
#define TEXT_DONE(col)     TEXT_FLAG(col)
#define TEXT_PRIORITY(col) TEXT_OF(PRIORITY, col)
#define TEXT_INSTANT(col)  TEXT_OF(INSTANT, col)
#define TEXT_TIME(col)     TEXT_OF(TIME, col)
#define TEXT_TAGS(col)     TEXT_OF(TAGS, col)
#define TEXT_LIST(col)     TEXT_OF(LIST, col)
#define TEXT_RULE(col)     TEXT_OF(RULE, col)
#define TEXT_ZONE(col)     TEXT_OF(ZONE, col)
#define TEXT_REMINDERS(col) TEXT_OF(REMINDERS, col)
#define TEXT_VERSION(col)  TEXT_OF(VERSION, col)
#define TEXT_LABEL(col)    READ_LABEL(col)
#define TEXT_KEPT(col)     READ_KEPT(col)

/* Its parameter (a writable kind). */
#define PARAM_TITLE    "%pDt::text"
#define PARAM_NOTE     "%pDt::text"
#define PARAM_FLAG     "%s::boolean"
#define PARAM_DONE     "%s::boolean"
#define PARAM_PRIORITY "%hd::smallint"
#define PARAM_INSTANT  "%pDz::timestamptz"
#define PARAM_TAGS     "%pDt::jsonb"
#define PARAM_LIST     "%lld::bigint"
#define PARAM_RULE     "%pDt::text"
#define PARAM_ZONE     "%pDt::text"
#define PARAM_REMINDERS "%pDt::jsonb"

/* Its value for the column, from parameter p.<name>. */
#define VALUE_TITLE(name)    "p." name
#define VALUE_NOTE(name)     "p." name
#define VALUE_FLAG(name)     "p." name
#define VALUE_DONE(name)     "p." name
#define VALUE_PRIORITY(name) "p." name
#define VALUE_INSTANT(name)  "p." name
#define VALUE_TAGS(name)     "ARRAY(SELECT jsonb_array_elements_text(p." name "))"
/* A list: the one the statement's "lst" found and locked (the caller's,
 * by id, or their Inbox). */
#define VALUE_LIST(name)     "(SELECT lst.id FROM lst)"
#define VALUE_RULE(name)     "p." name
#define VALUE_ZONE(name)     "p." name
#define VALUE_REMINDERS(name) VALUE_TAGS(name)

/* Its new value in an UPDATE: the parameter when p.set_<name>, else the
 * old one. The completion flag may also be toggled (p.toggle). */
#define NEW_VALUE(kind, name, col) "CASE WHEN p.set_" name " THEN " \
    VALUE_##kind(name) " ELSE t." col " END"
#define NEW_TITLE(name, col)    NEW_VALUE(TITLE, name, col)
#define NEW_NOTE(name, col)     NEW_VALUE(NOTE, name, col)
#define NEW_FLAG(name, col)     NEW_VALUE(FLAG, name, col)
#define NEW_PRIORITY(name, col) NEW_VALUE(PRIORITY, name, col)
#define NEW_INSTANT(name, col)  NEW_VALUE(INSTANT, name, col)
#define NEW_TAGS(name, col)     NEW_VALUE(TAGS, name, col)
#define NEW_LIST(name, col)     NEW_VALUE(LIST, name, col)
#define NEW_RULE(name, col)     NEW_VALUE(RULE, name, col)
#define NEW_ZONE(name, col)     NEW_VALUE(ZONE, name, col)
#define NEW_REMINDERS(name, col) NEW_VALUE(REMINDERS, name, col)
#define NEW_DONE(name, col) "CASE WHEN p.set_" name " THEN p." name \
    " WHEN p.toggle THEN NOT t." col " ELSE t." col " END"

/* ---- Lists generated from the field table ----------------------------- */

/* The columns of a task, KEY first (so every other one gets a comma). */
#define SEP_KEY ""
#define SEP_RW ", "
#define SEP_RO ", "
#define SEP_HIDDEN ", "
#define SEP_RESOURCE ", "
#define X_COL(name, access, kind, min, max, items, column) \
    TASKS_IF_COLUMN(access, SEP_##access READ_##kind(#column))
#define TASK_COLS TASKS_TASK_FIELDS(X_COL)
/* The same columns as text, in one array (an idempotency record). */
#define X_COL_TEXT(name, access, kind, min, max, items, column) \
    TASKS_IF_COLUMN(access, SEP_##access TEXT_##kind(#column))
#define TASK_COLS_TEXT "ARRAY[" TASKS_TASK_FIELDS(X_COL_TEXT) "]"

/* INSERT: the writable columns, their values and their parameters. */
#define X_INS_COL(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, ", " #column)
#define X_INS_VAL(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, ", " VALUE_##kind(#name))
#define X_INS_PARAM(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, ", " PARAM_##kind " AS " #name)
/* ...and the resource's (NULL: the defaults of sql/013). */
#define X_INS_RES_COL(name, access, kind, min, max, items, column) \
    TASKS_IF_RESOURCE(access, ", " #column)
#define X_INS_RES_VAL(name, access, kind, min, max, items, column) \
    TASKS_IF_RESOURCE(access, ", p." #name)
#define X_INS_RES_PARAM(name, access, kind, min, max, items, column) \
    TASKS_IF_RESOURCE(access, ", %pDt::text AS " #name)

/* UPDATE: a set flag and a parameter per writable field, and their
 * assignments. */
#define X_UPD_PARAM(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, ", %s::boolean AS set_" #name ", " PARAM_##kind \
                " AS " #name)
#define X_UPD_SET(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, " " #column " = " NEW_##kind(#name, #column) ",")
/* ...and the resource's, written when p.set_resource: a LABEL given
 * (NULL: kept), the KEPT text as given. */
#define X_UPD_RES_PARAM X_INS_RES_PARAM
#define NEW_LABEL(name, col) "CASE WHEN p.set_resource THEN" \
    " coalesce(p." name ", t." col ") ELSE t." col " END"
#define NEW_KEPT(name, col) "CASE WHEN p.set_resource THEN p." name \
    " ELSE t." col " END"
#define X_UPD_RES_SET(name, access, kind, min, max, items, column) \
    TASKS_IF_RESOURCE(access, " " #column " = " NEW_##kind(#name, #column) ",")

/* The completion flag as the UPDATE leaves it (completed_at follows it). */
#define NEW_COMPLETED NEW_DONE("completed", "completed")

/* The first whole second after now, as unix seconds. */
#define NEXT_SECOND "(floor(extract(epoch FROM clock_timestamp()))::bigint + 1)"

#define USER_COLS "u.id, u.email, u.name, " TS("u.created_at")

/* A list's columns, in tasks_list_row's order (lists.c reads them). */
#define LIST_COLS "l.id, l.name, l.color, l.position, l.inbox, l.task_count," \
    " l.pending_count, " TS("l.created_at") ", " TS("l.updated_at") ", l.version"
/* The same as text, in one array (an idempotency record). */
#define LIST_COLS_TEXT "ARRAY[l.id::text, l.name, l.color, l.position::text," \
    " CASE WHEN l.inbox THEN 't' ELSE 'f' END, l.task_count::text," \
    " l.pending_count::text, " TS("l.created_at") ", " TS("l.updated_at") "," \
    " l.version::text]"

/* A create. Parameters: the caller's, then each writable field's value
 * (then the idempotency key's, IDEM_PARAM). The list (the one named, or
 * the caller's Inbox when none is) must be the caller's: it is found and
 * locked against its deletion (KEY SHARE: only a delete waits) before the
 * insert refers to it. Always one row: CALLER_OK, whether the list is the
 * caller's, then the task (NULLs when none was written; then RESPONSE).
 * Without a key there is nothing to record: no text of the row, no
 * UPDATE of idempotency_keys (each a part of a create's cost in
 * PostgreSQL: make bench, "the statement alone"). */
#define TASK_INSERT(IDEM_PARAM, RESPONSE, IDEM) \
    "WITH p AS (SELECT " CALLER_PARAMS TASKS_TASK_FIELDS(X_INS_PARAM) \
    TASKS_TASK_FIELDS(X_INS_RES_PARAM) IDEM_PARAM ")," \
    " lst AS (SELECT l.id FROM lists l, p WHERE l.user_id = p.uid" \
    "  AND (l.id = p.list_id OR (p.list_id IS NULL AND l.inbox))" \
    "  FOR KEY SHARE OF l)," \
    " ok AS (SELECT " CALLER_OK " AS ok, EXISTS (SELECT 1 FROM lst) AS list_ok" \
    "  FROM p" OWNER_LOCKED ")," \
    " ins AS (INSERT INTO tasks AS t (user_id" TASKS_TASK_FIELDS(X_INS_COL) \
    TASKS_TASK_FIELDS(X_INS_RES_COL) \
    ", recurrence_start, completed_at, created_at, updated_at)" \
    " SELECT p.uid" TASKS_TASK_FIELDS(X_INS_VAL) TASKS_TASK_FIELDS(X_INS_RES_VAL) \
    ", CASE WHEN p.recurrence IS NOT NULL THEN p.due_at END" \
    ", CASE WHEN p.completed THEN now() END, now(), now()" \
    " FROM p, ok WHERE ok.ok AND ok.list_ok" \
    " RETURNING " TASK_COLS RESPONSE ")" IDEM \
    " SELECT ok.ok, ok.list_ok, ins.* FROM ok LEFT JOIN ins ON true"

/* An idempotency key's record of the create that claimed it (p.idem;
 * NULL: no key): done, with the created row (column "response" of ins),
 * written by the create's own statement. */
#define IDEM_DONE "idem AS (UPDATE idempotency_keys k SET done = true," \
    " response = (SELECT response FROM ins) FROM p" \
    " WHERE p.idem IS NOT NULL AND k.user_id = p.uid AND k.key = p.idem" \
    " AND EXISTS (SELECT 1 FROM ins))"

/* Who acts, as every statement that acts for a caller takes it: the
 * user, the token's revocation key ("" for none), its iat (unix seconds;
 * NULL for none) and its session (NULL for a token issued outside one). */
#define CALLER_PARAMS "%s::uuid AS uid, %pDt::text AS jti, " \
    "%pDt::bigint AS iat, %pDt::uuid AS sid"

/* The caller may still act: the token's user exists, its jti was not
 * revoked, and the token still stands. A token issued in a session
 * (signed in with a password, kept by refresh cookies) stands while its
 * session does: logging out, signing out everywhere, a password change
 * elsewhere, a reset and a refresh value used twice delete sessions. A
 * token without one (from before sessions, or an external identity's)
 * stands unless the user signed out everywhere since its iat (NULL: no
 * iat, which such a sign-out ends too), unless it is the token a
 * password change kept. Every task statement checks this itself (its
 * first column, or a condition of the write), so a task request costs
 * one round trip instead of an auth query plus the task query. A scalar
 * subquery, so that PostgreSQL evaluates it once (an InitPlan) rather
 * than turning the EXISTS into joins that would change a page's plan. */
#define CALLER_OK "(SELECT EXISTS (SELECT 1 FROM users cu WHERE cu.id = p.uid" \
    " AND CASE WHEN p.sid IS NOT NULL" \
    "  THEN EXISTS (SELECT 1 FROM sessions cs WHERE cs.id = p.sid" \
    "   AND cs.user_id = p.uid)" \
    "  ELSE cu.signed_out_before IS NULL OR p.iat >= cu.signed_out_before" \
    "   OR p.jti = cu.kept_jti END)" \
    " AND NOT EXISTS (SELECT 1 FROM revoked_tokens cr WHERE cr.jti = p.jti))"

/* The caller's users row, locked first by every statement that writes
 * tasks: each written task takes its owner's next change number (a
 * trigger, sql/011) under that row's lock, so a statement that locked a
 * task row first and then waited for the users row could deadlock with
 * one that writes several tasks (a list's tasks moved). Locked first,
 * writers of one person queue at the users row. A LEFT JOIN: a user that
 * is gone leaves CALLER_OK false, not no row. */
#define OWNER_LOCKED " LEFT JOIN LATERAL (SELECT 1 FROM users lu" \
    " WHERE lu.id = p.uid FOR NO KEY UPDATE OF lu) own ON true"

/* One task of the caller, with the version a write requires (NULL: any). */
#define TASK_PARAMS CALLER_PARAMS ", %lld::bigint AS id, " \
    "%d::int AS version"
#define THE_TASK "t.user_id = p.uid AND t.id = p.id"
#define IN_VERSION "(p.version IS NULL OR t.version = p.version)"

/* The list filters, shared by the page and its count. */
#define LIST_PARAMS "(SELECT " CALLER_PARAMS ", %d::int AS status, " \
    "%pDt::text AS q, %hd::smallint AS prio, %pDt::text AS tags, " \
    "%pDz::timestamptz AS due_before, %pDz::timestamptz AS due_after, " \
    "%lld::bigint AS list) p"
#define LIST_FILTER "t.user_id = p.uid" \
    " AND (p.status = 0 OR t.completed = (p.status = 2))" \
    " AND (p.q IS NULL OR t.title ILIKE p.q OR t.description ILIKE p.q)" \
    " AND (p.tags IS NULL OR t.tags @> " TAGS_WANTED ")" \
    LIST_FILTER_REST
/* A search (q given) has statements of its own, built for the words
 * index (sql/015): its conditions are plain ones, not behind "p.q IS NULL
 * OR", so the generic plan reads the index's candidates (the keys of q's
 * trigrams and of the tags, or the caller's own key when there are none)
 * and checks ILIKE and the tags on those only. Without tags, the wanted array is empty, which every
 * task's tags contain. The caller's tasks only, by a test the planner
 * cannot take to the user_id indexes (IS NOT DISTINCT FROM, the same as
 * "=" for two ids that are never NULL): it would AND a bitmap of all of
 * the caller's tasks, 10,000 entries for a person with 10,000, with the
 * words index's few, whose keys already hold the caller's id. */
#define SEARCH_FILTER "t.user_id IS NOT DISTINCT FROM p.uid" \
    " AND tasks_words_keys(t.user_id, t.title, t.description, t.tags)" \
    "  @> tasks_words_wanted(p.uid, p.q, p.tags::jsonb)" \
    " AND (p.status = 0 OR t.completed = (p.status = 2))" \
    " AND (t.title ILIKE p.q OR t.description ILIKE p.q)" \
    " AND t.tags @> " TAGS_WANTED \
    LIST_FILTER_REST
#define TAGS_WANTED "ARRAY(SELECT jsonb_array_elements_text(p.tags::jsonb))"
#define LIST_FILTER_REST \
    " AND (p.prio IS NULL OR t.priority = p.prio)" \
    " AND (p.due_before IS NULL OR t.due_at < p.due_before)" \
    " AND (p.due_after IS NULL OR t.due_at > p.due_after)" \
    " AND (p.list IS NULL OR t.list_id = p.list)"

/* A page: first (no cursor) or after (keyset: strictly past the cursor's
 * (sort value, id) in the order's direction). Each matches one index.
 * Columns: the task, then the query's total. CALLER_OK is a condition
 * evaluated once (an InitPlan): a denied caller gets no rows, and so does
 * an empty page, which tasks tell apart with S_TASKS_COUNT. */
#define PAGE_FIRST(TOTAL, PARAMS, FILTER, KEY, DIR) "SELECT " TASK_COLS \
    ", " TOTAL " FROM tasks t, " PARAMS " WHERE " FILTER " AND " CALLER_OK \
    " ORDER BY " KEY " " DIR ", t.id " DIR " LIMIT %d::int"
#define PAGE_AFTER(TOTAL, PARAMS, FILTER, KEY, VAL, DIR, CMP) "SELECT " \
    TASK_COLS ", " TOTAL " FROM tasks t, " PARAMS \
    ", (SELECT %pDt::text AS v, %lld::bigint AS id) c" \
    " WHERE " FILTER " AND (" KEY ", t.id) " CMP " (" VAL ", c.id)" \
    " AND " CALLER_OK " ORDER BY " KEY " " DIR ", t.id " DIR " LIMIT %d::int"
/* Filtered lists count their matches in the same statement (X-Total-Count
 * of every page; an InitPlan, so computed once per page). */
#define LIST_TOTAL "(SELECT count(*) FROM tasks t WHERE " LIST_FILTER ")"
#define LIST_FIRST(KEY, DIR) \
    PAGE_FIRST(LIST_TOTAL, LIST_PARAMS, LIST_FILTER, KEY, DIR)
#define LIST_AFTER(KEY, VAL, DIR, CMP) \
    PAGE_AFTER(LIST_TOTAL, LIST_PARAMS, LIST_FILTER, KEY, VAL, DIR, CMP)
/* A search reads all its matches anyway (a bitmap of the words index,
 * then a sort), so it counts them in the same pass, with a window over
 * the matches ("t", a subquery with the task's columns and the total),
 * before a later page's keyset condition. */
#define SEARCH_TOTAL "(SELECT count(*) FROM tasks t WHERE " SEARCH_FILTER ")"
#define SEARCH_MATCHES "(SELECT t.*, count(*) OVER () AS total" \
    " FROM tasks t, " LIST_PARAMS " WHERE " SEARCH_FILTER " AND " CALLER_OK ") t"
#define SEARCH_FIRST(KEY, DIR) "SELECT " TASK_COLS ", t.total FROM " \
    SEARCH_MATCHES " ORDER BY " KEY " " DIR ", t.id " DIR " LIMIT %d::int"
#define SEARCH_AFTER(KEY, VAL, DIR, CMP) "SELECT " TASK_COLS ", t.total" \
    " FROM " SEARCH_MATCHES ", (SELECT %pDt::text AS v, %lld::bigint AS id) c" \
    " WHERE (" KEY ", t.id) " CMP " (" VAL ", c.id)" \
    " ORDER BY " KEY " " DIR ", t.id " DIR " LIMIT %d::int"

/* The common list, filtered by status at most, has statements of its own:
 * without the "parameter IS NULL OR ..." filters their plan is a walk of
 * the sort key's index that stops after one page, while a filtered
 * statement's plan may read and sort all of the caller's matches. */
#define PLAIN_PARAMS "(SELECT " CALLER_PARAMS ", " \
    "%d::int AS status) p"
#define PLAIN_FILTER "t.user_id = p.uid" \
    " AND (p.status = 0 OR t.completed = (p.status = 2))"
/* They take X-Total-Count from task_counts (kept by triggers: one key
 * lookup, an InitPlan computed once per page). */
#define PLAIN_TOTAL "coalesce((SELECT CASE p.status WHEN 0 THEN k.total" \
    " WHEN 1 THEN k.total - k.completed ELSE k.completed END" \
    " FROM task_counts k WHERE k.user_id = p.uid), 0)"
#define PLAIN_FIRST(KEY, DIR) PAGE_FIRST(PLAIN_TOTAL, PLAIN_PARAMS, \
    PLAIN_FILTER, KEY, DIR)
#define PLAIN_AFTER(KEY, VAL, DIR, CMP) PAGE_AFTER(PLAIN_TOTAL, \
    PLAIN_PARAMS, PLAIN_FILTER, KEY, VAL, DIR, CMP)

/* One list's tasks, filtered by status at most (?list_id=): statements of
 * their own too, walking the list's index (user, list, sort key, id:
 * sql/009) as the plain ones walk the user's; X-Total-Count from the
 * list's counts (kept by triggers). A list that is not the caller's has
 * no tasks of the caller's: an empty page. */
#define BYLIST_PARAMS "(SELECT " CALLER_PARAMS ", %d::int AS status, " \
    "%lld::bigint AS list) p"
#define BYLIST_FILTER "t.user_id = p.uid AND t.list_id = p.list" \
    " AND (p.status = 0 OR t.completed = (p.status = 2))"
#define BYLIST_TOTAL "coalesce((SELECT CASE p.status WHEN 0 THEN l.task_count" \
    " WHEN 1 THEN l.pending_count ELSE l.task_count - l.pending_count END" \
    " FROM lists l WHERE l.id = p.list AND l.user_id = p.uid), 0)"
#define BYLIST_FIRST(KEY, DIR) PAGE_FIRST(BYLIST_TOTAL, BYLIST_PARAMS, \
    BYLIST_FILTER, KEY, DIR)
#define BYLIST_AFTER(KEY, VAL, DIR, CMP) PAGE_AFTER(BYLIST_TOTAL, \
    BYLIST_PARAMS, BYLIST_FILTER, KEY, VAL, DIR, CMP)

#define K_CREATED "t.created_at"
#define K_UPDATED "t.updated_at"
#define K_DUE "coalesce(t.due_at, 'infinity'::timestamptz)"
#define K_PRIO "t.priority"
#define K_TITLE "(t.title COLLATE \"C\")"
#define V_TS "c.v::timestamptz"
#define V_PRIO "c.v::smallint"
#define V_TITLE "(c.v COLLATE \"C\")"

/* One sort key's page statements: the families in store_int.h's order
 * (PAGE_FILTERED, PAGE_PLAIN, PAGE_BYLIST, PAGE_SEARCH). */
#define LIST_STMTS(NAME, KEY, VAL) \
    { "tasks_list_" NAME "_asc",  LIST_FIRST(KEY, "ASC") }, \
    { "tasks_list_" NAME "_desc", LIST_FIRST(KEY, "DESC") }, \
    { "tasks_next_" NAME "_asc",  LIST_AFTER(KEY, VAL, "ASC", ">") }, \
    { "tasks_next_" NAME "_desc", LIST_AFTER(KEY, VAL, "DESC", "<") }, \
    { "tasks_plain_list_" NAME "_asc",  PLAIN_FIRST(KEY, "ASC") }, \
    { "tasks_plain_list_" NAME "_desc", PLAIN_FIRST(KEY, "DESC") }, \
    { "tasks_plain_next_" NAME "_asc",  PLAIN_AFTER(KEY, VAL, "ASC", ">") }, \
    { "tasks_plain_next_" NAME "_desc", PLAIN_AFTER(KEY, VAL, "DESC", "<") }, \
    { "tasks_bylist_list_" NAME "_asc",  BYLIST_FIRST(KEY, "ASC") }, \
    { "tasks_bylist_list_" NAME "_desc", BYLIST_FIRST(KEY, "DESC") }, \
    { "tasks_bylist_next_" NAME "_asc",  BYLIST_AFTER(KEY, VAL, "ASC", ">") }, \
    { "tasks_bylist_next_" NAME "_desc", BYLIST_AFTER(KEY, VAL, "DESC", "<") }, \
    { "tasks_search_list_" NAME "_asc",  SEARCH_FIRST(KEY, "ASC") }, \
    { "tasks_search_list_" NAME "_desc", SEARCH_FIRST(KEY, "DESC") }, \
    { "tasks_search_next_" NAME "_asc",  SEARCH_AFTER(KEY, VAL, "ASC", ">") }, \
    { "tasks_search_next_" NAME "_desc", SEARCH_AFTER(KEY, VAL, "DESC", "<") }

const tasks_stmt_def tasks_statements[S_COUNT] = {
    [S_PING] = { "tasks_ping", "SELECT 1" },
    [S_AUTH_USER] = { "tasks_auth_user",
        "SELECT " USER_COLS " FROM (SELECT " CALLER_PARAMS ") p"
        " JOIN users u ON u.id = p.uid WHERE " CALLER_OK },
    [S_USER_INSERT] = { "tasks_user_insert",
        "INSERT INTO users AS u (email, name, password_hash) VALUES (%s, %s, %s)"
        " ON CONFLICT ((lower(email))) WHERE password_hash IS NOT NULL"
        " DO NOTHING RETURNING " USER_COLS },
    [S_USER_BY_EMAIL] = { "tasks_user_by_email",
        "SELECT " USER_COLS ", u.password_hash FROM users u"
        " WHERE lower(u.email) = lower(%s) AND u.password_hash IS NOT NULL" },
    [S_USER_SET_HASH] = { "tasks_user_set_hash",
        "UPDATE users SET password_hash = %s WHERE id = %s::uuid" },
    /* The admin command's (mod-tasks; the runtime role may run neither):
     * a new password for the account with a password at this email; an
     * account deleted with its tasks, identities and counts (the schema
     * cascades), with how many tasks it had (the CTE's DELETE is not yet
     * visible to the count). */
    [S_USER_RESET_PASSWORD] = { "tasks_user_reset_password",
        "WITH u AS (UPDATE users u SET password_hash = %s,"
        "  signed_out_before = " NEXT_SECOND ", kept_jti = NULL"
        "  WHERE lower(u.email) = lower(%s) AND u.password_hash IS NOT NULL"
        "  RETURNING u.*),"
        " s AS (DELETE FROM sessions s USING u WHERE s.user_id = u.id)"
        " SELECT " USER_COLS " FROM u" },
    [S_USER_DELETE] = { "tasks_user_delete",
        "WITH d AS (DELETE FROM users u WHERE lower(u.email) = lower(%s)"
        "  AND u.password_hash IS NOT NULL RETURNING u.*)"
        " SELECT " USER_COLS ", (SELECT count(*) FROM tasks t WHERE t.user_id = u.id)"
        " FROM d u" },
    /* Everything of the caller's in one snapshot (GET /api/auth/export):
     * the user and each task, one row per task (one row with NULL task
     * columns when there is none); no row when the user is gone. */
    [S_ACCOUNT_EXPORT] = { "tasks_account_export",
        "SELECT " CALLER_OK ", " USER_COLS ", " TASK_COLS
        " FROM (SELECT " CALLER_PARAMS ") p"
        " JOIN users u ON u.id = p.uid"
        " LEFT JOIN tasks t ON t.user_id = p.uid ORDER BY t.id" },
    /* The caller's own account deleted (DELETE /api/auth/me) while its
     * token still stands: the user with its tasks, identities and counts
     * (the schema cascades) and the failed logins kept for its email, in
     * one statement; how many users went (0 or 1). */
    [S_ACCOUNT_DELETE] = { "tasks_account_delete",
        "WITH p AS (SELECT " CALLER_PARAMS "),"
        " d AS (DELETE FROM users u USING p WHERE u.id = p.uid AND " CALLER_OK
        "  RETURNING u.email),"
        " f AS (DELETE FROM login_failures lf USING d"
        "  WHERE lf.email = lower(d.email))"
        " SELECT count(*) FROM d" },
    /* Sign out everywhere: every session of the caller's user ends, and
     * every token of theirs issued outside one until the end of this
     * second stops standing (iat has whole seconds, so one issued in this
     * second after the statement is refused too, for under a second).
     * How many users were signed out (0: the caller may no longer act). */
    [S_SIGN_OUT_EVERYWHERE] = { "tasks_sign_out_everywhere",
        "WITH p AS (SELECT " CALLER_PARAMS "),"
        " u AS (UPDATE users u SET signed_out_before = " NEXT_SECOND ", kept_jti = NULL"
        "  FROM p WHERE u.id = p.uid AND " CALLER_OK " RETURNING u.id),"
        " s AS (DELETE FROM sessions s USING u WHERE s.user_id = u.id)"
        " SELECT count(*) FROM u" },
    /* A new password hash; every other session and token stops standing,
     * the caller's own goes on: its session, or for a token outside one
     * the token itself (kept_jti; none to keep for a token without a
     * jti). How many users changed (0: the caller may no longer act). */
    [S_PASSWORD_CHANGE] = { "tasks_password_change",
        "WITH p AS (SELECT %s AS hash, " CALLER_PARAMS "),"
        " u AS (UPDATE users u SET password_hash = p.hash,"
        "  signed_out_before = " NEXT_SECOND ", kept_jti = nullif(p.jti, '')"
        "  FROM p WHERE u.id = p.uid AND u.password_hash IS NOT NULL AND " CALLER_OK
        "  RETURNING u.id, p.sid),"
        " s AS (DELETE FROM sessions s USING u WHERE s.user_id = u.id"
        "  AND s.id IS DISTINCT FROM u.sid)"
        " SELECT count(*) FROM u" },
    /* The admin command's: a reset code (its SHA-256, hex) for the
     * account with a password at this email, valid for 30 minutes,
     * replacing any earlier one; the user, or no row. */
    [S_RESET_CODE_ISSUE] = { "tasks_reset_code_issue",
        "WITH u AS (SELECT " USER_COLS " FROM users u"
        "  WHERE lower(u.email) = lower(%s) AND u.password_hash IS NOT NULL),"
        " ins AS (INSERT INTO reset_codes (user_id, code_hash, expires_at)"
        "  SELECT u.id, decode(%s, 'hex'), now() + interval '30 minutes' FROM u"
        "  ON CONFLICT (user_id) DO UPDATE SET code_hash = EXCLUDED.code_hash,"
        "  expires_at = EXCLUDED.expires_at)"
        " SELECT * FROM u" },
    /* Whether a reset code is there to spend (read before the new
     * password is hashed, so a wrong code costs no scrypt). */
    [S_RESET_CODE_VALID] = { "tasks_reset_code_valid",
        "SELECT 1 FROM reset_codes r WHERE r.code_hash = decode(%s, 'hex')"
        " AND r.expires_at > now()" },
    /* A reset code spent: the code is deleted whatever happens (single
     * use; an expired one is dead anyway) and, while it is valid, its
     * account gets the new hash and is signed out everywhere, in one
     * statement. The user, or no row (unknown, used or expired). */
    [S_RESET_WITH_CODE] = { "tasks_reset_with_code",
        "WITH c AS (DELETE FROM reset_codes r WHERE r.code_hash = decode(%s, 'hex')"
        "  RETURNING r.user_id, r.expires_at),"
        " u AS (UPDATE users u SET password_hash = %s, signed_out_before = " NEXT_SECOND ","
        "  kept_jti = NULL FROM c WHERE u.id = c.user_id AND c.expires_at > now()"
        "  RETURNING u.*),"
        " s AS (DELETE FROM sessions s USING u WHERE s.user_id = u.id)"
        " SELECT " USER_COLS " FROM u" },
    /* A session begins (login, signup) with its first refresh value (its
     * SHA-256, hex): the user's sessions idle for the lifetime (seconds)
     * end, and so do all but the newest (limit - 1), so that an account
     * has at most limit. The session's id, or no row when the user is
     * gone. */
    [S_SESSION_START] = { "tasks_session_start",
        "WITH p AS (SELECT %s::uuid AS uid, decode(%s, 'hex') AS hash,"
        "  now() - make_interval(secs => %d::int) AS idle_since, %d::int AS keep),"
        " stale AS (DELETE FROM sessions s USING p WHERE s.user_id = p.uid"
        "  AND (s.last_used_at <= p.idle_since OR s.id IN (SELECT x.id FROM sessions x"
        "   WHERE x.user_id = p.uid ORDER BY x.last_used_at DESC, x.id OFFSET p.keep - 1))),"
        " born AS (INSERT INTO sessions (user_id) SELECT u.id FROM users u, p"
        "  WHERE u.id = p.uid RETURNING id),"
        " first AS (INSERT INTO refresh_tokens (token_hash, session_id)"
        "  SELECT p.hash, born.id FROM p, born)"
        " SELECT born.id FROM born" },
    /* A refresh: the presented value (its hash) is the current one of a
     * session used within the lifetime (seconds). It is marked rotated
     * and the new value (hash) becomes current, the session counts as
     * used now, and rotated values older than the lifetime are let go (a
     * chain used daily for years keeps a bounded history). The row lock
     * of the UPDATE makes two refreshes with one value take turns: the
     * second finds it rotated. The session's id and its user, or no row. */
    [S_SESSION_REFRESH] = { "tasks_session_refresh",
        "WITH p AS (SELECT decode(%s, 'hex') AS old, decode(%s, 'hex') AS new,"
        "  now() - make_interval(secs => %d::int) AS idle_since),"
        " used AS (UPDATE refresh_tokens r SET rotated_at = now() FROM p, sessions s"
        "  WHERE r.token_hash = p.old AND r.rotated_at IS NULL AND s.id = r.session_id"
        "  AND s.last_used_at > p.idle_since RETURNING r.session_id),"
        " live AS (UPDATE sessions s SET last_used_at = now() FROM used"
        "  WHERE s.id = used.session_id RETURNING s.id, s.user_id),"
        " fresh AS (INSERT INTO refresh_tokens (token_hash, session_id)"
        "  SELECT p.new, live.id FROM p, live),"
        " forgotten AS (DELETE FROM refresh_tokens r USING p, live"
        "  WHERE r.session_id = live.id AND r.rotated_at <= p.idle_since)"
        " SELECT live.id, " USER_COLS " FROM live JOIN users u ON u.id = live.user_id" },
    /* A refresh that S_SESSION_REFRESH refused: when the value belongs to
     * a session, that session ends, as the value was either used before
     * (reuse: the chain may be in two hands) or its session was idle too
     * long. The session's user and whether it was reuse, or no row (a
     * value never issued, or whose session has ended). */
    [S_SESSION_REFUSED] = { "tasks_session_refused",
        "WITH r AS (SELECT r.session_id, r.rotated_at IS NOT NULL AS reused"
        "  FROM refresh_tokens r WHERE r.token_hash = decode(%s, 'hex')),"
        " gone AS (DELETE FROM sessions s USING r WHERE s.id = r.session_id"
        "  RETURNING s.id, s.user_id)"
        " SELECT gone.user_id, r.reused FROM gone JOIN r ON r.session_id = gone.id" },
    /* Logout: the caller's session ends (every token issued in it with
     * it); how many sessions went. */
    [S_SESSION_END] = { "tasks_session_end",
        "DELETE FROM sessions WHERE id = %pDt::uuid AND user_id = %s::uuid" },
    [S_REVOKE] = { "tasks_revoke",
        "WITH expired AS (DELETE FROM revoked_tokens WHERE expires_at < now())"
        " INSERT INTO revoked_tokens (jti, expires_at)"
        " VALUES (%s, to_timestamp(%lld::bigint)) ON CONFLICT (jti) DO NOTHING" },
    [S_LOGIN_FAILURES] = { "tasks_login_failures",
        "WITH p AS (SELECT lower(%s) AS email, %pDt::text AS addr,"
        "  now() - make_interval(secs => %d::int) AS since, %d::int AS win)"
        " SELECT (SELECT count(*) FROM login_failures f, p"
        "          WHERE f.email = p.email AND f.failed_at > p.since),"
        "        (SELECT count(*) FROM login_failures f, p"
        "          WHERE f.addr = p.addr AND f.failed_at > p.since),"
        "        (SELECT ceil(extract(epoch FROM min(f.failed_at - p.since)))::int"
        "           FROM login_failures f, p WHERE f.email = p.email AND f.failed_at > p.since),"
        "        (SELECT ceil(extract(epoch FROM min(f.failed_at - p.since)))::int"
        "           FROM login_failures f, p WHERE f.addr = p.addr AND f.failed_at > p.since)" },
    /* An attempt is recorded as a failure before the password is checked
     * (and forgotten again on success or when throttled), so concurrent
     * attempts see each other: see tasks_account_login. */
    [S_LOGIN_ATTEMPT] = { "tasks_login_attempt",
        "WITH p AS (SELECT lower(%s) AS email, %pDt::text AS addr,"
        "  now() - make_interval(secs => %d::int) AS since),"
        " expired AS (DELETE FROM login_failures f USING p"
        "  WHERE (f.email = p.email OR f.addr = p.addr) AND f.failed_at <= p.since)"
        " INSERT INTO login_failures (email, addr) SELECT email, addr FROM p"
        " RETURNING " TS("failed_at") },
    [S_LOGIN_FORGET] = { "tasks_login_forget",
        "DELETE FROM login_failures WHERE email = lower(%s) AND addr = %s"
        " AND failed_at = %pDz::timestamptz" },
    [S_LOGIN_SUCCEEDED] = { "tasks_login_succeeded",
        "DELETE FROM login_failures WHERE email = lower(%s) AND addr = %s" },
    /* A create without an idempotency key, and one with (its last
     * parameter), which also records the created row for the key. */
    [S_TASK_INSERT] = { "tasks_task_insert", TASK_INSERT("", "", "") },
    [S_TASK_INSERT_ONCE] = { "tasks_task_insert_once",
        TASK_INSERT(", %pDt::text AS idem", ", " TASK_COLS_TEXT " AS response",
                    ", " IDEM_DONE) },
    /* Always one row: CALLER_OK, then the task (NULLs when none). */
    [S_TASK_GET] = { "tasks_task_get",
        "SELECT " CALLER_OK ", " TASK_COLS
        " FROM (SELECT " CALLER_PARAMS ", %lld::bigint AS id) p"
        " LEFT JOIN tasks t ON t.user_id = p.uid AND t.id = p.id" },
    /* One statement for PUT, PATCH and complete: each field is set only
     * when its flag is true; completed may also flip (toggle). A new list
     * must be the caller's (found and locked as for an insert). Always one
     * row: CALLER_OK, whether the task existed (in the statement's
     * snapshot), whether the list is the caller's, whether the task
     * recurs, then the task as written (NULLs when nothing was). So a
     * miss is told apart - not found, or another version - in the same
     * round trip; the version condition makes If-Match and the write one
     * atomic step (a concurrent writer's new version fails it).
     *
     * A recurring task's schedule is the service's to work out (its next
     * occurrence comes from libical): with p.guard (the service has not
     * read the task) a recurring task is left alone and reported, and
     * the service reads it and writes again with its version. That write
     * may set the series' start, record the completed occurrence
     * (p.done_due) or take back the record of one (p.undone_due). */
    [S_TASK_UPDATE] = { "tasks_task_update",
        "WITH p AS (SELECT " TASK_PARAMS TASKS_TASK_FIELDS(X_UPD_PARAM)
        ", %s::boolean AS toggle, %s::boolean AS guard, %s::boolean AS set_start,"
        " %pDz::timestamptz AS start, %pDz::timestamptz AS done_due,"
        " %pDz::timestamptz AS undone_due, %s::boolean AS set_resource"
        TASKS_TASK_FIELDS(X_UPD_RES_PARAM) "),"
        " lst AS (SELECT l.id FROM lists l, p WHERE p.set_list_id"
        "  AND l.user_id = p.uid AND l.id = p.list_id FOR KEY SHARE OF l),"
        " ok AS (SELECT " CALLER_OK " AS ok,"
        "  (NOT p.set_list_id OR EXISTS (SELECT 1 FROM lst)) AS list_ok"
        "  FROM p" OWNER_LOCKED "),"
        " cur AS (SELECT t.recurrence IS NOT NULL AS recurs FROM tasks t, p WHERE " THE_TASK "),"
        " upd AS (UPDATE tasks AS t SET" TASKS_TASK_FIELDS(X_UPD_SET)
        TASKS_TASK_FIELDS(X_UPD_RES_SET)
        " recurrence_start = CASE WHEN p.set_start THEN p.start ELSE t.recurrence_start END,"
        " completed_at = CASE WHEN NOT " NEW_COMPLETED " THEN NULL"
        "   WHEN t.completed THEN t.completed_at ELSE now() END,"
        " updated_at = greatest(now(), t.updated_at + interval '1 microsecond'),"
        " version = t.version + 1"
        " FROM p, ok WHERE " THE_TASK " AND " IN_VERSION " AND ok.ok AND ok.list_ok"
        " AND (NOT p.guard OR t.recurrence IS NULL)"
        " RETURNING " TASK_COLS "),"
        " done AS (INSERT INTO task_completions (user_id, task_id, due_at)"
        "  SELECT p.uid, upd.id, p.done_due FROM upd, p WHERE p.done_due IS NOT NULL),"
        " undone AS (DELETE FROM task_completions c USING upd, p"
        "  WHERE p.undone_due IS NOT NULL AND c.user_id = p.uid AND c.id = (SELECT max(k.id)"
        "   FROM task_completions k WHERE k.user_id = p.uid AND k.task_id = upd.id"
        "   AND k.due_at = p.undone_due))"
        " SELECT ok.ok, EXISTS (SELECT 1 FROM cur), ok.list_ok,"
        " coalesce((SELECT recurs FROM cur), false), upd.*"
        " FROM ok LEFT JOIN upd ON true" },
    /* One row: CALLER_OK, whether the task existed, whether it went. */
    [S_TASK_DELETE] = { "tasks_task_delete",
        "WITH p AS (SELECT " TASK_PARAMS "),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p" OWNER_LOCKED "),"
        " cur AS (SELECT 1 FROM tasks t, p WHERE " THE_TASK "),"
        " gone AS (DELETE FROM tasks t USING p, ok"
        "  WHERE " THE_TASK " AND " IN_VERSION " AND ok.ok RETURNING 1)"
        " SELECT ok.ok, EXISTS (SELECT 1 FROM cur), EXISTS (SELECT 1 FROM gone)"
        " FROM ok" },
    /* One row: CALLER_OK and how many tasks went (of one list, or of
     * all when the list is NULL). */
    [S_TASKS_CLEAR] = { "tasks_tasks_clear",
        "WITH p AS (SELECT " CALLER_PARAMS ", %lld::bigint AS list),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p" OWNER_LOCKED "),"
        " gone AS (DELETE FROM tasks t USING p, ok"
        "  WHERE ok.ok AND t.user_id = p.uid AND t.completed"
        "  AND (p.list IS NULL OR t.list_id = p.list) RETURNING 1)"
        " SELECT ok.ok, (SELECT count(*) FROM gone) FROM ok" },
    /* A task's completions, newest first. Always a first row: CALLER_OK,
     * whether the task is the caller's, then a completion's two instants
     * (NULLs when it has none). */
    [S_TASK_COMPLETIONS] = { "tasks_task_completions",
        "WITH p AS (SELECT " CALLER_PARAMS ", %lld::bigint AS id),"
        " ok AS (SELECT " CALLER_OK " AS ok, EXISTS (SELECT 1 FROM tasks t"
        "  WHERE t.user_id = p.uid AND t.id = p.id) AS found FROM p)"
        " SELECT ok.ok, ok.found, " EPOCH("c.completed_at") ", " EPOCH("c.due_at")
        " FROM p CROSS JOIN ok LEFT JOIN task_completions c ON ok.ok AND ok.found"
        "  AND c.user_id = p.uid AND c.task_id = p.id"
        " ORDER BY c.completed_at DESC, c.id DESC" },
    /* The caller's reminders of pending tasks firing in (since, until],
     * by when they fire. A duration (it alone starts with P) is before
     * due_at, counted in seconds (a day is 24 hours, whatever the
     * session's TimeZone); any other is an instant. Always a first row:
     * CALLER_OK, then a reminder's task id, title, fires_at and due_at
     * (NULLs when none). */
    [S_REMINDERS] = { "tasks_reminders",
        "WITH p AS (SELECT " CALLER_PARAMS ", %pDz::timestamptz AS until,"
        "  %pDz::timestamptz AS since),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p),"
        " r AS (SELECT t.id, t.title, f.fires_at, t.due_at FROM p, ok, tasks t,"
        "  LATERAL (SELECT CASE WHEN left(e, 1) = 'P'"
        "   THEN t.due_at - extract(epoch FROM e::interval) * interval '1 second'"
        "   ELSE e::timestamptz END AS fires_at FROM unnest(t.reminders) e) f"
        "  WHERE ok.ok AND t.user_id = p.uid AND NOT t.completed"
        "  AND t.reminders <> '{}' AND f.fires_at <= p.until"
        "  AND (p.since IS NULL OR f.fires_at > p.since))"
        " SELECT ok.ok, r.id, r.title, " EPOCH("r.fires_at") ", " EPOCH("r.due_at")
        " FROM ok LEFT JOIN r ON true ORDER BY r.fires_at, r.id" },
    /* Claim an idempotency key for a create: a new key (or one expired:
     * 24 hours; or a claim abandoned for a minute, its request gone) is
     * the caller's to use now. A few expired keys of anybody's go on the
     * way. Rows: CALLER_OK, whether this request claimed the key, whether
     * the key's fingerprint is this request's, whether its create is
     * done, then (not claimed, done) one row per column of the recorded
     * row, in order (v NULL for a NULL column). Without a row of the key
     * in the statement's snapshot (a claim that committed since), the
     * fingerprint and done columns are NULL: it is running. */
    [S_IDEM_CLAIM] = { "tasks_idem_claim",
        "WITH p AS (SELECT " CALLER_PARAMS ", %pDt::text AS key, %pDt::text AS fp),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p),"
        " purge AS (DELETE FROM idempotency_keys g WHERE g.ctid = ANY (ARRAY("
        "  SELECT x.ctid FROM idempotency_keys x"
        "  WHERE x.created_at < now() - interval '24 hours' LIMIT 20))),"
        " claim AS (INSERT INTO idempotency_keys AS k (user_id, key, fingerprint)"
        "  SELECT p.uid, p.key, p.fp FROM p, ok WHERE ok.ok"
        "  ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,"
        "   created_at = now(), done = false, response = NULL"
        "  WHERE k.created_at < now() - interval '24 hours'"
        "   OR (NOT k.done AND k.created_at < now() - interval '1 minute')"
        "  RETURNING 1),"
        " cur AS (SELECT k.fingerprint, k.done, k.response FROM idempotency_keys k, p"
        "  WHERE k.user_id = p.uid AND k.key = p.key)"
        " SELECT ok.ok, EXISTS (SELECT 1 FROM claim), cur.fingerprint = p.fp, cur.done,"
        "  r.v FROM p CROSS JOIN ok LEFT JOIN cur ON true"
        " LEFT JOIN LATERAL unnest(cur.response) WITH ORDINALITY AS r(v, n)"
        "  ON NOT EXISTS (SELECT 1 FROM claim) ORDER BY r.n" },
    /* A claim whose create failed lets its key go (a retry runs it). */
    [S_IDEM_RELEASE] = { "tasks_idem_release",
        "DELETE FROM idempotency_keys WHERE user_id = %s::uuid AND key = %pDt::text"
        " AND NOT done" },
    /* The changes feed: the caller's tasks changed, and (with_deleted)
     * tombstones left, after change number since, by number, at most lim
     * of them. A few tombstones older than 30 days (anybody's) go on the
     * way. Rows: CALLER_OK, the caller's change counter (in the same
     * snapshot: every change up to it is in it), then a change's number,
     * whether it is a deletion, its task id, and the task (NULLs for a
     * deletion, or when no change). The union walks two indexes
     * (user, change_seq) for as many rows as the page needs. */
    [S_CHANGES] = { "tasks_changes",
        "WITH p AS (SELECT " CALLER_PARAMS ", %lld::bigint AS since, %d::int AS lim,"
        "  %s::boolean AS with_deleted),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p),"
        " purge AS (DELETE FROM task_tombstones g WHERE g.ctid = ANY (ARRAY("
        "  SELECT x.ctid FROM task_tombstones x"
        "  WHERE x.deleted_at < now() - interval '30 days' LIMIT 100))),"
        " ch AS (SELECT * FROM ("
        "   (SELECT t.change_seq AS seq, false AS gone, t.id AS task_id FROM tasks t, p"
        "    WHERE t.user_id = p.uid AND t.change_seq > p.since ORDER BY t.change_seq"
        "    LIMIT (SELECT lim FROM p))"
        "   UNION ALL"
        "   (SELECT d.change_seq, true, d.task_id FROM task_tombstones d, p"
        "    WHERE p.with_deleted AND d.user_id = p.uid AND d.change_seq > p.since"
        "    ORDER BY d.change_seq LIMIT (SELECT lim FROM p))) u"
        "  ORDER BY seq LIMIT (SELECT lim FROM p))"
        " SELECT ok.ok, (SELECT u.change_seq FROM users u WHERE u.id = p.uid),"
        "  ch.seq, ch.gone, ch.task_id, " TASK_COLS
        " FROM p CROSS JOIN ok LEFT JOIN ch ON ok.ok"
        " LEFT JOIN tasks t ON NOT ch.gone AND t.user_id = p.uid AND t.id = ch.task_id"
        " ORDER BY ch.seq" },
    /* The caller's latest change number (a CalDAV collection's getctag
     * and sync-token). One row: CALLER_OK, the number. */
    [S_CHANGE_SEQ] = { "tasks_change_seq",
        "SELECT " CALLER_OK ", u.change_seq FROM (SELECT " CALLER_PARAMS ") p"
        " LEFT JOIN users u ON u.id = p.uid" },
    /* One list's tasks as CalDAV resources (PROPFIND, calendar-query,
     * sync-collection), in one snapshot with the caller's latest change
     * number: every task (p.since < 0), or those changed after p.since
     * and the names that left the list since (departures of tasks
     * deleted or moved, unless a task has the name again). Rows:
     * CALLER_OK, whether the list is the caller's, the latest number, a
     * departed name, then the task (one of the two; one row of NULLs
     * when there is neither). A sync also deletes a few departures past
     * the 30 days (sql/013). */
    [S_DAV_MEMBERS] = { "tasks_dav_members",
        "WITH p AS (SELECT " CALLER_PARAMS ", %lld::bigint AS list,"
        "  %lld::bigint AS since),"
        " ok AS (SELECT " CALLER_OK " AS ok, EXISTS (SELECT 1 FROM lists l"
        "  WHERE l.user_id = p.uid AND l.id = p.list) AS found,"
        "  (SELECT u.change_seq FROM users u WHERE u.id = p.uid) AS latest FROM p),"
        " purge AS (DELETE FROM dav_departures g WHERE g.ctid = ANY (ARRAY("
        "  SELECT x.ctid FROM dav_departures x, p WHERE p.since >= 0"
        "  AND x.departed_at < now() - interval '30 days' LIMIT 100))),"
        " m AS (SELECT t.id AS task_id, NULL::text AS gone FROM tasks t, p"
        "   WHERE t.user_id = p.uid AND t.list_id = p.list AND t.change_seq > p.since"
        "  UNION ALL"
        "  SELECT DISTINCT NULL::bigint, d.dav_name FROM dav_departures d, p"
        "   WHERE p.since >= 0 AND d.user_id = p.uid AND d.list_id = p.list"
        "   AND d.change_seq > p.since AND NOT EXISTS (SELECT 1 FROM tasks x"
        "    WHERE x.user_id = p.uid AND x.list_id = p.list AND x.dav_name = d.dav_name))"
        " SELECT ok.ok, ok.found, ok.latest, m.gone, " TASK_COLS
        " FROM p CROSS JOIN ok LEFT JOIN m ON ok.ok AND ok.found"
        " LEFT JOIN tasks t ON t.user_id = p.uid AND t.id = m.task_id"
        " ORDER BY m.gone, t.dav_name" },
    /* Tasks of one list of the caller's by resource name (a JSON array
     * of names) or by UID (NULL: none). Rows: CALLER_OK, whether the
     * list is the caller's, then a task (one row of NULLs for none). */
    [S_DAV_FIND] = { "tasks_dav_find",
        "WITH p AS (SELECT " CALLER_PARAMS ", %lld::bigint AS list,"
        "  %pDt::text AS names, %pDt::text AS dav_uid),"
        " ok AS (SELECT " CALLER_OK " AS ok, EXISTS (SELECT 1 FROM lists l"
        "  WHERE l.user_id = p.uid AND l.id = p.list) AS found FROM p)"
        " SELECT ok.ok, ok.found, " TASK_COLS
        " FROM p CROSS JOIN ok LEFT JOIN tasks t ON ok.ok AND ok.found"
        "  AND t.user_id = p.uid AND t.list_id = p.list"
        "  AND (t.dav_name = ANY (ARRAY(SELECT jsonb_array_elements_text(p.names::jsonb)))"
        "   OR t.dav_uid = p.dav_uid)"
        " ORDER BY t.dav_name" },
    /* A new app password of the caller's, unless they have 50. One row:
     * CALLER_OK, how many they had, then the password's id, name and
     * created_at (NULLs when none was made). */
    [S_APP_PASSWORD_INSERT] = { "tasks_app_password_insert",
        "WITH p AS (SELECT " CALLER_PARAMS ", %pDt::text AS name, %pDt::text AS hash),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p),"
        " n AS (SELECT count(*) AS have FROM app_passwords a, p WHERE a.user_id = p.uid),"
        " ins AS (INSERT INTO app_passwords (user_id, name, secret_hash)"
        "  SELECT p.uid, p.name, p.hash FROM p, ok, n"
        "  WHERE ok.ok AND n.have < " TASKS_APP_PASSWORDS_MAX_TEXT
        "  RETURNING id, name, " TS("created_at") ")"
        " SELECT ok.ok, n.have, ins.* FROM ok CROSS JOIN n LEFT JOIN ins ON true" },
    /* The caller's app passwords, newest first. Rows: CALLER_OK, then
     * id, name, created_at, last_used_at (NULLs when none). */
    [S_APP_PASSWORDS] = { "tasks_app_passwords",
        "WITH p AS (SELECT " CALLER_PARAMS "),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p)"
        " SELECT ok.ok, a.id, a.name, " TS("a.created_at") ", " TS("a.last_used_at")
        " FROM p CROSS JOIN ok LEFT JOIN app_passwords a ON ok.ok AND a.user_id = p.uid"
        " ORDER BY a.id DESC" },
    /* One row: CALLER_OK, whether the caller's app password went. */
    [S_APP_PASSWORD_DELETE] = { "tasks_app_password_delete",
        "WITH p AS (SELECT " CALLER_PARAMS ", %lld::bigint AS id),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p),"
        " gone AS (DELETE FROM app_passwords a USING p, ok"
        "  WHERE ok.ok AND a.user_id = p.uid AND a.id = p.id RETURNING 1)"
        " SELECT ok.ok, EXISTS (SELECT 1 FROM gone) FROM ok" },
    /* HTTP Basic: the user whose e-mail (any case) and app password (its
     * hash) these are; the password is marked used (at most once a
     * minute: a sync client signs in with every request). One row, the
     * user's columns, or none. */
    [S_APP_PASSWORD_USER] = { "tasks_app_password_user",
        "WITH m AS (SELECT a.id, a.last_used_at, u.id AS uid FROM app_passwords a"
        "  JOIN users u ON u.id = a.user_id"
        "  WHERE a.secret_hash = %pDt::text AND lower(u.email) = lower(%pDt::text)),"
        " used AS (UPDATE app_passwords a SET last_used_at = now() FROM m"
        "  WHERE a.id = m.id AND (m.last_used_at IS NULL"
        "   OR m.last_used_at < now() - interval '1 minute'))"
        " SELECT " USER_COLS " FROM m JOIN users u ON u.id = m.uid" },
    /* An empty page's total, and CALLER_OK (an empty page cannot tell a
     * denied caller): without filters beyond status from task_counts,
     * else by counting, a search's through the words index. CASE
     * evaluates only the branch it takes. */
    [S_TASKS_COUNT] = { "tasks_tasks_count",
        "SELECT " CALLER_OK ", CASE WHEN p.q IS NULL AND p.prio IS NULL"
        "  AND p.tags IS NULL AND p.due_before IS NULL AND p.due_after IS NULL"
        "  AND p.list IS NULL"
        " THEN " PLAIN_TOTAL
        " WHEN p.q IS NOT NULL THEN " SEARCH_TOTAL
        " ELSE " LIST_TOTAL " END FROM " LIST_PARAMS },
    /* The local user linked to an external identity, and whether the
     * token no longer stands: its jti (namespaced by the caller; "" when
     * none) revoked, or the user signed out everywhere since its iat. */
    [S_IDENTITY_USER] = { "tasks_identity_user",
        "SELECT " USER_COLS ", NOT " CALLER_OK
        " FROM (SELECT %pDt::text AS jti, %pDt::bigint AS iat) q"
        " JOIN user_identities i ON i.issuer = %s AND i.subject = %s"
        " JOIN users u ON u.id = i.user_id,"
        " LATERAL (SELECT u.id AS uid, q.jti, q.iat, NULL::uuid AS sid) p" },
    /* First sight of an external identity: a user (no password; email and
     * name only when they fit the users table) and its link, in one
     * statement. A concurrent twin fails on the link's primary key and
     * the whole statement is undone. */
    [S_IDENTITY_PROVISION] = { "tasks_identity_provision",
        "WITH p AS (SELECT %pDt::text AS iss, %pDt::text AS sub, %pDt::text AS email,"
        "  %pDt::text AS name),"
        " u AS (INSERT INTO users (email, name)"
        "  SELECT CASE WHEN p.email = btrim(p.email)"
        "   AND length(p.email) BETWEEN 3 AND 254 THEN p.email END,"
        "   nullif(left(btrim(p.name), 100), '') FROM p"
        "  RETURNING id, email, name, created_at),"
        " link AS (INSERT INTO user_identities (issuer, subject, user_id)"
        "  SELECT p.iss, p.sub, u.id FROM p, u)"
        " SELECT " USER_COLS " FROM u" },
    /* ---- Lists ---- Every statement checks CALLER_OK as a task's does;
     * a list of another user is not there. */
    /* The caller's lists by position; one row with NULL list columns when
     * the caller may not act (CALLER_OK first in every row). */
    [S_LISTS_ALL] = { "tasks_lists_all",
        "SELECT " CALLER_OK ", " LIST_COLS " FROM (SELECT " CALLER_PARAMS ") p"
        " LEFT JOIN lists l ON l.user_id = p.uid ORDER BY l.position, l.id" },
    /* One row: CALLER_OK, then the list (NULLs when none). */
    [S_LIST_GET] = { "tasks_list_get",
        "SELECT " CALLER_OK ", " LIST_COLS
        " FROM (SELECT " CALLER_PARAMS ", %lld::bigint AS id) p"
        " LEFT JOIN lists l ON l.user_id = p.uid AND l.id = p.id" },
    /* A new list, last. One row: CALLER_OK, how many lists the caller
     * had, then the list (NULLs when none was made: the limit, or the
     * name is taken in any letter case: ON CONFLICT). */
    [S_LIST_INSERT] = { "tasks_list_insert",
        "WITH p AS (SELECT " CALLER_PARAMS ", %pDt::text AS name, %pDt::text AS color,"
        "  %pDt::text AS idem),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p),"
        " n AS (SELECT count(*) AS lists, coalesce(max(l.position) + 1, 0) AS next"
        "  FROM lists l, p WHERE l.user_id = p.uid),"
        " ins AS (INSERT INTO lists AS l (user_id, name, color, position)"
        "  SELECT p.uid, p.name, p.color, n.next FROM p, ok, n"
        "  WHERE ok.ok AND n.lists < " TASKS_LISTS_MAX_TEXT
        "  ON CONFLICT DO NOTHING RETURNING " LIST_COLS ", " LIST_COLS_TEXT " AS response),"
        " " IDEM_DONE
        " SELECT ok.ok, n.lists, ins.* FROM ok CROSS JOIN n LEFT JOIN ins ON true" },
    /* Name, color and position of a list (each when its flag is set;
     * position NULL: kept), if its version matches (NULL: any). A new
     * position shifts the lists between the old and the new one by one,
     * so positions stay 0..n-1. One row: CALLER_OK, whether the list
     * exists, whether another list has the name (any case), whether the
     * position is below the number of lists, then the list as written
     * (NULLs when nothing was). */
    [S_LIST_UPDATE] = { "tasks_list_update",
        "WITH p AS (SELECT " CALLER_PARAMS ", %lld::bigint AS id, %d::int AS version,"
        "  %s::boolean AS set_name, %pDt::text AS name, %s::boolean AS set_color,"
        "  %pDt::text AS color, %d::int AS position),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p),"
        " cur AS (SELECT l.id, l.position, l.version FROM lists l, p"
        "  WHERE l.user_id = p.uid AND l.id = p.id),"
        " n AS (SELECT count(*) AS lists FROM lists l, p WHERE l.user_id = p.uid),"
        " dup AS (SELECT 1 FROM lists l, p WHERE p.set_name AND l.user_id = p.uid"
        "  AND lower(l.name) = lower(p.name) AND l.id <> p.id),"
        " go AS (SELECT cur.id, cur.position AS old, coalesce(p.position, cur.position) AS new"
        "  FROM p, ok, cur, n WHERE ok.ok AND (p.version IS NULL OR cur.version = p.version)"
        "  AND NOT EXISTS (SELECT 1 FROM dup) AND coalesce(p.position, 0) < n.lists),"
        " upd AS (UPDATE lists l SET"
        "  name = CASE WHEN l.id = go.id AND p.set_name THEN p.name ELSE l.name END,"
        "  color = CASE WHEN l.id = go.id AND p.set_color THEN p.color ELSE l.color END,"
        "  position = CASE WHEN l.id = go.id THEN go.new"
        "   WHEN go.new < go.old THEN l.position + 1"
        "   WHEN go.new > go.old THEN l.position - 1 ELSE l.position END,"
        "  updated_at = CASE WHEN l.id = go.id"
        "   THEN greatest(now(), l.updated_at + interval '1 microsecond') ELSE l.updated_at END,"
        "  version = l.version + 1"
        "  FROM p, go WHERE l.user_id = p.uid AND (l.id = go.id"
        "   OR (l.position BETWEEN least(go.new, go.old) AND greatest(go.new, go.old)"
        "    AND go.new <> go.old))"
        "  RETURNING " LIST_COLS ")"
        " SELECT ok.ok, EXISTS (SELECT 1 FROM cur), EXISTS (SELECT 1 FROM dup),"
        " coalesce(p.position, 0) < n.lists, upd.*"
        " FROM ok CROSS JOIN p CROSS JOIN n LEFT JOIN upd ON upd.id = p.id" },
    /* A list deleted, if its version matches (NULL: any) and it is not
     * the Inbox: its tasks first moved to move_to (another list of the
     * caller's, locked against its own deletion) when one is given, else
     * deleted with it (the foreign key cascades); the lists after it move
     * up one. One row: CALLER_OK, whether it existed, whether it is the
     * Inbox, whether move_to is usable, whether it went, how many tasks
     * moved. */
    [S_LIST_DELETE] = { "tasks_list_delete",
        "WITH p AS (SELECT " CALLER_PARAMS ", %lld::bigint AS id, %d::int AS version,"
        "  %lld::bigint AS move_to),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p" OWNER_LOCKED "),"
        " cur AS (SELECT l.id, l.inbox, l.version, l.position FROM lists l, p"
        "  WHERE l.user_id = p.uid AND l.id = p.id),"
        " dest AS (SELECT l.id FROM lists l, p WHERE p.move_to IS NOT NULL"
        "  AND l.user_id = p.uid AND l.id = p.move_to AND l.id <> p.id FOR KEY SHARE OF l),"
        " go AS (SELECT cur.id, cur.position FROM p, ok, cur WHERE ok.ok AND NOT cur.inbox"
        "  AND (p.version IS NULL OR cur.version = p.version)"
        "  AND (p.move_to IS NULL OR EXISTS (SELECT 1 FROM dest))),"
        " moved AS (UPDATE tasks t SET list_id = (SELECT dest.id FROM dest),"
        "  updated_at = greatest(now(), t.updated_at + interval '1 microsecond'),"
        "  version = t.version + 1"
        "  FROM p, go WHERE p.move_to IS NOT NULL AND t.user_id = p.uid AND t.list_id = go.id"
        "  RETURNING t.id),"
        " gone AS (DELETE FROM lists l USING p, go WHERE l.user_id = p.uid AND l.id = go.id"
        "  RETURNING l.id),"
        " shifted AS (UPDATE lists l SET position = l.position - 1, version = l.version + 1"
        "  FROM p, go WHERE l.user_id = p.uid AND l.position > go.position)"
        " SELECT ok.ok, EXISTS (SELECT 1 FROM cur), coalesce((SELECT inbox FROM cur), false),"
        " p.move_to IS NULL OR EXISTS (SELECT 1 FROM dest), EXISTS (SELECT 1 FROM gone),"
        " (SELECT count(*) FROM moved) FROM ok CROSS JOIN p" },
    LIST_STMTS("created_at", K_CREATED, V_TS),
    LIST_STMTS("updated_at", K_UPDATED, V_TS),
    LIST_STMTS("due_at", K_DUE, V_TS),
    LIST_STMTS("priority", K_PRIO, V_PRIO),
    LIST_STMTS("title", K_TITLE, V_TITLE),
};

/* A list's name per user, ignoring case (sql/009): a rename checks it in
 * its statement, but a concurrent one can still take it first. */
const char *const tasks_conflict_constraints[] = {
    "lists_user_name_key",
    "tasks_dav_name_key",
    "tasks_dav_uid_key",
    NULL
};

int tasks_store_statement_count(void)
{
    return S_COUNT;
}

const char *tasks_store_statement_label(int i)
{
    return i >= 0 && i < S_COUNT ? tasks_statements[i].label : NULL;
}

const char *tasks_store_statement_sql(int i)
{
    return i >= 0 && i < S_COUNT ? tasks_statements[i].sql : NULL;
}

const char *tasks_store_session_settings(void)
{
    return SESSION_SETTINGS;
}

const char *tasks_store_schema_version(void)
{
    return SCHEMA_VERSION;
}
