# seed.awk - the benchmark's data set as PostgreSQL COPY text (mawk/gawk).
#
#   awk -v mode=users -v users=N -v per_user=T -v seed=S [-v special="100 1000 10000"]
#       > users.tsv                 lines: id  email  name  task_count
#   awk -v mode=tasks -v now=EPOCH -v seed=S users.tsv | psql -c "COPY tasks (...) FROM STDIN"
#
# Users get random-looking lower-case UUIDs (what is_uuid() in src/httpd/auth.c
# accepts) and no password hash. Tasks: varied titles (about 5% mention a
# "report"), half with a description, 0-3 tags out of 12, priorities
# weighted toward none/low, 60% with a due date within +-120 days, about 30%
# completed, created over the last two years in id order. Rows of one user
# are contiguous, so each user's ids form one range. Progress goes to stderr.

function hex(n,    s, i) {
    s = ""
    for (i = 0; i < n; i++) s = s substr("0123456789abcdef", int(rand() * 16) + 1, 1)
    return s
}

function uuid() {
    return hex(8) "-" hex(4) "-4" hex(3) "-" substr("89ab", int(rand() * 4) + 1, 1) hex(3) "-" hex(12)
}

# Seconds since 1970 (UTC) as "YYYY-MM-DD HH:MM:SS+00" (days-to-civil,
# H. Hinnant's algorithm; no strftime needed).
function ts(t,    days, secs, z, era, doe, yoe, y, doy, mp, d, m) {
    days = int(t / 86400); secs = t - days * 86400
    z = days + 719468
    era = int(z / 146097)
    doe = z - era * 146097
    yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
    y = yoe + era * 400
    doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
    mp = int((5 * doy + 2) / 153)
    d = doy - int((153 * mp + 2) / 5) + 1
    m = mp < 10 ? mp + 3 : mp - 9
    if (m <= 2) y++
    return sprintf("%04d-%02d-%02d %02d:%02d:%02d+00", y, m, d,
                   int(secs / 3600), int(secs % 3600 / 60), secs % 60)
}

function pick(arr, n) { return arr[int(rand() * n) + 1] }

BEGIN {
    FS = "\t"; OFS = "\t"
    srand(seed + (mode == "tasks" ? 1 : 0))
    if (mode == "users") {
        # the ordinary users, then one user per "special" task count
        n = split(special, sp, " ")
        for (i = 1; i <= users; i++)
            print uuid(), sprintf("bench-%07d@bench.example", i), sprintf("Bench User %d", i), per_user
        for (i = 1; i <= n; i++)
            print uuid(), sprintf("grow-%d@bench.example", sp[i]), sprintf("Growth %d", sp[i]), sp[i]
        exit
    }
    nv = split("Write Review Update Call Email Fix Plan Prepare Book Buy Clean Check Draft Finish Schedule Order Pay Renew Send Organize", verb, " ")
    nn = split("invoice|report|slides|budget|meeting notes|dentist appointment|groceries|car tires|garage|passport|newsletter|backlog|roadmap|taxes|insurance|blog post|release checklist|garden plan|flight tickets|birthday gift|quarterly report|expense report|team offsite|bug triage", noun, "|")
    nq = split("for Alice|for the team|before Friday|with Bob|for Q3|asap|this weekend|for the client|again|v2", qual, "|")
    nd = split("Remember to attach the latest numbers.|Ask for a second opinion first.|Low effort, do it between meetings.|Blocked until the vendor replies.|See the shared folder for details.|Needs a quiet hour; no rush.|Follow up by phone if no answer.|Check the old thread for context.", descr, "|")
    nt = split("work home errands urgent reading health finance travel garden kids project-x someday", tag, " ")
    np = split("0 0 0 1 1 1 2 2 3", prio, " ")
    total = 0
    # lists: a file of "user_id, Inbox id, second list id" (tab separated):
    # a third of each user's tasks go to the second list, the rest to the
    # Inbox.
    while (lists != "" && (getline line < lists) > 0) {
        split(line, a, "\t")
        inbox[a[1]] = a[2]; second[a[1]] = a[3]
    }
}

mode == "tasks" { uid[NR] = $1; cnt[NR] = $4; total += $4 }

END {
    if (mode != "tasks") exit
    done = 0; step = int(total / 20); if (step < 1) step = 1; next_report = step
    two_years = 2 * 365 * 86400
    for (u = 1; u <= NR; u++) {
        n = cnt[u]
        start = now - two_years + int(rand() * 86400 * 30)
        span = now - 3600 - start
        for (k = 1; k <= n; k++) {
            created = start + int(span * (k - 1) / n) + int(rand() * 600)
            title = pick(verb, nv) " " pick(noun, nn)
            r = rand()
            if (r < 0.35) title = title " " pick(qual, nq)
            else if (r < 0.5) title = title " #" int(rand() * 1000)
            desc = rand() < 0.5 ? pick(descr, nd) : "\\N"
            pr = pick(prio, np)
            due = rand() < 0.6 ? ts(now + int((rand() - 0.5) * 240 * 86400)) : "\\N"
            # 0-3 distinct tags, as an array literal
            m = int(rand() * 4); tags = ""; delete used
            for (j = 0; j < m; j++) {
                t = pick(tag, nt)
                if (t in used) continue
                used[t] = 1; tags = tags (tags == "" ? "" : ",") t
            }
            if (rand() < 0.3) {
                done_at = created + int(rand() * 14 * 86400)
                if (done_at > now) done_at = now
                completed = "t"; compl = ts(done_at); updated = ts(done_at)
            } else {
                completed = "f"; compl = "\\N"
                updated = ts(rand() < 0.2 ? created + int(rand() * 86400) : created)
            }
            lid = (rand() < 0.33 && second[uid[u]] != "") ? second[uid[u]] : inbox[uid[u]]
            print uid[u], title, desc, completed, pr, due, "{" tags "}", ts(created), updated, compl, 1, lid
            if (++done >= next_report) {
                printf("    seeded %d/%d tasks (%d%%)\n", done, total, int(100 * done / total)) > "/dev/stderr"
                next_report += step
            }
        }
    }
}
