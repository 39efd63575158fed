# report.awk - turns the key=value facts of a bench run (results.kv, written
# by run.sh) into the Markdown report (-v format=md) or JSON (-v format=json),
# and judges the targets.

function num(k) { return (k in V) ? V[k] + 0 : 0 }
function has(k) { return (k in V) && V[k] != "" }
function ms(us) { return sprintf("%.2f", us / 1000) }
function ratio(a, b) { return b > 0 ? a / b : 0 }
function f2(x) { return sprintf("%.2f", x) }
function pf(ok) { return ok ? "PASS" : "FAIL" }
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return "\"" s "\"" }
function jval(s) { return (s ~ /^-?[0-9]+(\.[0-9]+)?$/) ? s + 0 : jstr(s) }

# per-request CPU (ms) of a scenario
function cpu_req(sc, what) { return ratio(1000 * num("sc." sc ".cpu_" what "_s"), num("sc." sc ".requests")) }

function target(name, ok, detail) {
    nt++; T_name[nt] = name; T_ok[nt] = ok; T_detail[nt] = detail
    if (!ok) failed++
}

# The targets measured at one connection count (sfx: "" for CONNS, "_c32"
# for CONNS2): get-one and list against their floors (tests/bench/floor.c:
# the same row or page through the same pool with nothing else), create
# against pgbench running its INSERT, and (CONNS2 only: CONNS has its own
# line below) the mix's p99 against the static file's.
function conn_targets(sfx, conns,    fl1, flp, r, at) {
    at = sprintf(", %d connections", conns)
    fl1 = num("sc.floor_one" sfx ".rps"); flp = num("sc.floor_page" sfx ".rps")
    if (fl1 > 0) {
        r = ratio(num("sc.get" sfx ".rps"), fl1)
        target("get-one >= 0.90x the one-row floor (req/s" at ")", r >= 0.90,
               sprintf("%.2fx (%.0f vs %.0f req/s)", r, num("sc.get" sfx ".rps"), fl1))
    }
    if (flp > 0) {
        r = ratio(num("sc.list" sfx ".rps"), flp)
        target("list of 50 >= 0.85x the page floor (req/s" at ")", r >= 0.85,
               sprintf("%.2fx (%.0f vs %.0f req/s)", r, num("sc.list" sfx ".rps"), flp))
    }
    if (num("pgbi" sfx ".tps") > 0 && num("sc.create" sfx ".rps") > 0) {
        r = ratio(num("sc.create" sfx ".rps"), num("pgbi" sfx ".tps"))
        target("create >= 0.80x pgbench running the same INSERT (" num("pgbi" sfx ".clients") " clients" at ")", r >= 0.80,
               sprintf("%.2fx (%.0f req/s vs %.0f tx/s; the statement alone: %.2fx)", r, num("sc.create" sfx ".rps"), num("pgbi" sfx ".tps"),
                       ratio(num("pgbc.tps"), num("pgbs.tps"))))
    }
    if (num("sc.list_big" sfx ".rps") > 0) {
        r = ratio(num("sc.filter_big" sfx ".rps"), num("sc.list_big" sfx ".rps"))
        target("filtered list (status, q, tag) >= 0.5x the plain list, user with " num("big.tasks") " tasks (req/s" at ")", r >= 0.5,
               sprintf("%.2fx (%.0f vs %.0f req/s)", r, num("sc.filter_big" sfx ".rps"), num("sc.list_big" sfx ".rps")))
    }
    if (sfx != "" && num("sc.mix" sfx ".p99_us") > 0) {
        r = ratio(num("sc.mix" sfx ".p99_us"), num("sc.static" sfx ".p99_us"))
        target("mix p99 <= 2.5x static p99 (" conns " connections)", r > 0 && r <= 2.5,
               sprintf("%.2fx (%s ms vs %s ms; the one-row floor's p99: %.2fx)", r, ms(num("sc.mix" sfx ".p99_us")), ms(num("sc.static" sfx ".p99_us")),
                       ratio(num("sc.floor_one" sfx ".p99_us"), num("sc.static" sfx ".p99_us"))))
    }
}

{
    i = index($0, "=")
    if (i > 0) V[substr($0, 1, i - 1)] = substr($0, i + 1)
}

END {
    ns = split(V["run.scenarios"], S, " ")
    static_rps = num("sc.static.rps"); static_p99 = num("sc.static.p99_us")
    pgb_tps = num("pgb.tps")
    pgb_pg_cpu = ratio(1000 * num("pgb.cpu_pg_s"), num("pgb.transactions"))

    # ---- targets
    conn_targets("", num("run.conns"))
    if (num("run.conns2") > 0) conn_targets("_c" num("run.conns2"), num("run.conns2"))
    get_r = ratio(num("sc.get.rps"), static_rps)
    target("get-one >= 40% of the static ceiling (req/s)", get_r >= 0.40,
           sprintf("%.1f%% (%.0f vs %.0f req/s)", 100 * get_r, num("sc.get.rps"), static_rps))
    list_r = ratio(num("sc.list.rps"), static_rps)
    target("list of 50 >= 20% of the static ceiling (req/s)", list_r >= 0.20,
           sprintf("%.1f%% (%.0f vs %.0f req/s)", 100 * list_r, num("sc.list.rps"), static_rps))
    mix_r = ratio(num("sc.mix.p99_us"), static_p99)
    target("mix p99 <= 2.5x static p99 (same connections)", mix_r > 0 && mix_r <= 2.5,
           sprintf("%.2fx (%s ms vs %s ms; the one-row floor's p99: %.2fx)", mix_r, ms(num("sc.mix.p99_us")), ms(static_p99),
                   ratio(num("sc.floor_one.p99_us"), static_p99)))
    pg_get = cpu_req("get", "pg")
    pgbr_pg_cpu = ratio(1000 * num("pgbr.cpu_pg_s"), num("pgbr.transactions"))
    pg_r = ratio(pg_get, pgbr_pg_cpu)
    target("PostgreSQL CPU per get-one <= 1.2x pgbench per transaction (pgbench at get-one's rate)", pg_r > 0 && pg_r <= 1.2,
           sprintf("%.2fx (%.3f vs %.3f ms at %d tx/s; unthrottled pgbench: %.3f ms)", pg_r, pg_get, pgbr_pg_cpu, num("pgbr.rate"), pgb_pg_cpu))
    # Radicale's scenarios measure another server (a request of its that
    # takes over wrk's 10 s is a timeout there): listed, not counted.
    errs = 0; errlist = ""; rad = ""
    for (k in V) if (k ~ /\.(non2xx|sock_errors)$/ && V[k] + 0 > 0) {
        if (k ~ /^sc\.radicale_/) { rad = rad " " k "=" V[k]; continue }
        errs += V[k]; errlist = errlist " " k "=" V[k]
    }
    errs += num("pgb.failed") + num("pgbr.failed") + num("pgbi.failed") + num("pgbi_c" num("run.conns2") ".failed") \
          + num("pgbs.failed") + num("pgbc.failed")
    target("zero errors (the module's scenarios and pgbench: non-2xx, socket errors, failures)", errs == 0,
           (errs == 0 ? "0 in every scenario" : errs " (" substr(errlist, 2) "; socket errors: see sock_detail = connect/read/write/timeout in latest.json)") \
           (rad != "" ? "; Radicale, not counted:" rad : ""))
    ng = split(V["run.growth_counts"], G, " ")
    gmin = G[1]; gmax = G[ng]
    gg = ratio(num("sc." best("grow_get_" gmax) ".p50_us"), num("sc." best("grow_get_" gmin) ".p50_us"))
    gl = ratio(num("sc." best("grow_list_" gmax) ".p50_us"), num("sc." best("grow_list_" gmin) ".p50_us"))
    growth_ok = gg > 0 && gg <= 1.5 && gl > 0 && gl <= 1.5
    gdetail = sprintf("p50 at %d vs %d tasks: get-one %.2fx, list %.2fx", gmax, gmin, gg, gl)
    if (has("sc.grow_get_rows2.p50_us")) {
        gr = ratio(num("sc.grow_get_rows2.p50_us"), num("sc.grow_get_rows1.p50_us"))
        growth_ok = growth_ok && gr <= 1.5
        gdetail = gdetail sprintf("; get-one at %d vs %d rows %.2fx", num("grow.rows2"), num("grow.rows1"), gr)
    }
    target("flat growth: latency at the largest / smallest size <= 1.5x", growth_ok, gdetail)
    mem_r = ratio(num("mem.rss_end_kb"), num("mem.rss_start_kb"))
    target("flat memory: children's RSS end / after warm-up <= 1.10", mem_r > 0 && mem_r <= 1.10 && ("mem.same_children" in V) && V["mem.same_children"] == "yes",
           sprintf("%.3f (%d -> %d kB over %d s, same children: %s)", mem_r, num("mem.rss_start_kb"), num("mem.rss_end_kb"), num("mem.soak_s"), V["mem.same_children"]))

    if (format == "json") { json(); exit }

    # ---- markdown
    print "# mod_tasks benchmark"
    print ""
    printf("Run %s, `%s` (git %s), %d s in all.\n\n", V["run.date"], V["run.command"], V["run.git"], num("run.total_s"))
    printf("Data: %d users x %d tasks + users with %s tasks = %d task rows (%s scale). ",
           num("run.users"), num("run.tasks_per_user"), V["run.growth_counts"],
           has("grow.rows2") ? num("grow.rows2") : num("seed.rows_phase1"), V["run.scale"])
    printf("Load: wrk on loopback, %d threads, %d connections, %d s per scenario, every request with a valid bearer token of the owning user (%d users with tokens). ",
           num("run.threads"), num("run.conns"), num("run.duration_s"), num("run.tokens"))
    printf("httpd: %d children, %d pooled PostgreSQL connections during the run.\n\n", num("run.httpd_children"), num("run.pool_connections"))

    print "## Machine"
    print ""
    print "| | |"
    print "|---|---|"
    printf("| CPU | %s x %d |\n| memory | %s |\n| kernel | %s |\n| OS | %s |\n", V["machine.cpu"], num("machine.nproc"), V["machine.mem"], V["machine.kernel"], V["machine.os"])
    printf("| load average (1, 5, 15 min) | %s at the start, %s at the end (other work on this machine competes for the same cores) |\n", V["machine.loadavg_start"], V["machine.loadavg_end"])
    printf("| httpd | %s, MPM %s |\n| PostgreSQL | %s (%s) |\n| wrk / pgbench | %s / %s |\n| libraries | %s |\n| compiler | %s |\n\n",
           V["version.httpd"], V["version.mpm"], V["version.postgres"], V["run.pg_opts"], V["version.wrk"], V["version.pgbench"], V["version.libs"], V["version.cc"])

    print "## Targets"
    print ""
    print "| target | result | measured |"
    print "|---|---|---|"
    for (t = 1; t <= nt; t++) printf("| %s | **%s** | %s |\n", T_name[t], pf(T_ok[t]), T_detail[t])
    printf("\n%d of %d targets pass.\n\n", nt - failed, nt)

    print "## Scenarios"
    print ""
    print "Latencies in ms. `static` and `pgbench` are the ceilings; ratios are req/s over the static file's req/s and over pgbench's transactions/s (one transaction = the one statement of a get-one). CPU is httpd + PostgreSQL (all their processes, /proc utime+stime) per request; the load generator's own CPU is shown apart (it shares the 2 cores)."
    print ""
    print "| scenario | conns | req/s | p50 | p90 | p99 | max | errors | vs static | vs pgbench | vs its floor | CPU ms/req httpd | CPU ms/req PostgreSQL | CPU ms/req total | wrk CPU ms/req |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for (s = 1; s <= ns; s++) {
        sc = S[s]; p = "sc." sc "."
        # a single row's scenarios against the one-row floor, a page's
        # against the page floor
        sfx = (match(sc, /_c[0-9]+$/)) ? substr(sc, RSTART) : ""
        base = substr(sc, 1, length(sc) - length(sfx))
        fl = (base ~ /^(get|get_pgbouncer)$/) ? num("sc.floor_one" sfx ".rps") \
           : (base ~ /^(list|list_one|filter|list_big|filter_big)$/) ? num("sc.floor_page" sfx ".rps") : 0
        printf("| %s%s | %d | %.0f | %s | %s | %s | %s | %d%s | %.1f%% | %.1f%% | %s | %.3f | %.3f | %.3f | %.3f |\n",
               sc, "", num(p "conns"), num(p "rps"), ms(num(p "p50_us")), ms(num(p "p90_us")), ms(num(p "p99_us")), ms(num(p "max_us")),
               num(p "non2xx") + num(p "sock_errors"), (V[p "statuses"] != "-" && V[p "statuses"] != "") ? " (" V[p "statuses"] ")" : "",
               100 * ratio(num(p "rps"), static_rps), 100 * ratio(num(p "rps"), pgb_tps),
               fl > 0 ? sprintf("%.2fx", ratio(num(p "rps"), fl)) : "-",
               cpu_req(sc, "httpd"), cpu_req(sc, "pg"), cpu_req(sc, "httpd") + cpu_req(sc, "pg"), ratio(1000 * num(p "cpu_client_s"), num(p "requests")))
    }
    printf("| pgbench (get-one SQL, -M prepared) | %d clients | %.0f tx/s | %s | %s | %s | %s | %d failed | %.1f%% | 100%% | - | - | %.3f | %.3f | %.3f |\n",
           num("pgb.clients"), pgb_tps, ms(num("pgb.p50_us")), ms(num("pgb.p90_us")), ms(num("pgb.p99_us")), ms(num("pgb.max_us")), num("pgb.failed"),
           100 * ratio(pgb_tps, static_rps), pgb_pg_cpu, pgb_pg_cpu, ratio(1000 * num("pgb.cpu_client_s"), num("pgb.transactions")))
    split("pgbi pgbi_c" num("run.conns2") " pgbs pgbc", PGBK, " ")
    PGBN["pgbi"] = "pgbench, the create's INSERT (-M prepared)"
    PGBN["pgbi_c" num("run.conns2")] = PGBN["pgbi"]
    PGBN["pgbs"] = "pgbench, the create's INSERT (PREPARE/EXECUTE)"
    PGBN["pgbc"] = "pgbench, the module's whole create statement (PREPARE/EXECUTE)"
    for (i = 1; i <= 4; i++) if (has(PGBK[i] ".transactions"))
        printf("| %s | %d clients | %.0f tx/s | | | | | %d failed | | | | - | %.3f | %.3f | |\n",
               PGBN[PGBK[i]], num(PGBK[i] ".clients"), num(PGBK[i] ".tps"), num(PGBK[i] ".failed"),
               ratio(1000 * num(PGBK[i] ".cpu_pg_s"), num(PGBK[i] ".transactions")), ratio(1000 * num(PGBK[i] ".cpu_pg_s"), num(PGBK[i] ".transactions")))
    if (!has("pgbr.transactions")) print ""
    if (has("pgbr.transactions"))
        printf("| pgbench at get-one's rate (-R %d) | %d clients | %.0f tx/s | | | | | %d failed | | | | - | %.3f | %.3f | |\n\n",
               num("pgbr.rate"), num("pgb.clients"), num("pgbr.transactions") / num("run.duration_s"), num("pgbr.failed"), pgbr_pg_cpu, pgbr_pg_cpu)
    print "- floor_one, floor_page: the floors (tests/bench/floor.c, a module of the bench's own, never installed): one prepared SELECT of one task by (user_id, id), or of the user's first 50 by created_at, through the same mod_dbd pool, written as JSON; no token, no check. get is compared with floor_one, list, list_one and filter with floor_page."
    print "- static: `GET /bench-static/task.json`, a real one-task response body (" num("static.bytes") " bytes) served by the same httpd (same MPM settings, `EnableMMAP Off`), with the same Authorization header."
    print "- get: `GET /api/tasks/{id}` (one statement, tasks_task_get, which also checks that the token's user exists and its jti is not revoked). list: `GET /api/tasks?limit=50` (default sort created_at desc; one statement: caller check, page and X-Total-Count). filter: `?status=pending&q=<word>&tag=<tag>&limit=50`. list_big, filter_big: list and filter for the one user with " num("big.tasks") " tasks (the filter's target compares the two). create: `POST /api/tasks`. update: `PATCH /api/tasks/{id}` (title, priority). mix: 70% get, 20% list, 5% create, 5% update."
    printf("- login: `POST /api/auth/login`, scrypt N=2^15 per request, %d connections (more would queue past the module's 2 s wait for a hash slot); reported separately, not part of any target.\n", num("run.login_conns"))
    print "- create's floors: pgbench runs the create's bare INSERT (same table, indexes and triggers) with as many clients as the scenario has connections (the create target), and, with the pool's clients, the module's whole create statement next to the bare INSERT, both prepared once per client and run with EXECUTE (`pgbench-create.sql`): what the statement itself adds in PostgreSQL (\"the statement alone\")."
    print "- pgbench runs the text of tasks_task_get taken from the built module (`%s` replaced by pgbench variables; see `pgbench-get.sql`) under the module's session settings (generic plans), each client switching to another random user every ~50 transactions (one extra lookup in a helper table). It runs twice: unthrottled (the ceiling), and throttled to the get-one scenario's rate for the CPU comparison (at a lower rate each query wakes an idle backend, which costs PostgreSQL more CPU per statement than a saturating run)."
    print ""

    if (num("caldav.done")) {
        print "## CalDAV, next to Radicale"
        print ""
        printf("One list of 1,000 tasks, the same VTODOs in both (Radicale %s, Debian's, multifilesystem storage, no authentication: it checks no password, the module checks an app password on every request). %d connections, %d s each. CPU per request: httpd + PostgreSQL for the module, the Radicale process for Radicale.\n\n",
               V["caldav.radicale_version"], num("run.conns"), num("run.duration_s"))
        print "| request | server | req/s | p50 | p99 | errors | CPU ms/req |"
        print "|---|---|---|---|---|---|---|"
        dav_row("PROPFIND Depth 1 (getetag, getcontenttype, resourcetype)", "mod_tasks", "dav_propfind", 0)
        dav_row("", "Radicale", "radicale_propfind", 1)
        dav_row("sync-collection, 10 changes since the token", "mod_tasks", "dav_sync", 0)
        dav_row("", "Radicale", "radicale_sync", 1)
        print ""
    }

    print "## Growth"
    print ""
    printf("One connection (latency, not queueing), %d s each; users measured in %d passes (sizes ascending and descending in turn), each row the pass with the lowest p50 (other work on the machine only ever adds latency).\n\n", num("run.growth_duration_s"), num("run.growth_passes"))
    print "| measurement | req/s | p50 | p90 | p99 | max |"
    print "|---|---|---|---|---|---|"
    for (g = 1; g <= ng; g++) {
        grow_row("get-one, user with " G[g] " tasks", "grow_get_" G[g])
        grow_row("list of 50, user with " G[g] " tasks", "grow_list_" G[g])
    }
    grow_row("get-one, table of " num("grow.rows1") " rows", "grow_get_rows1")
    if (has("sc.grow_get_rows2.p50_us")) grow_row("get-one, table of " num("grow.rows2") " rows", "grow_get_rows2")
    else print "| get-one, table of 10M rows | needs `SCALE=full` | | | | |"
    print ""

    print "## Memory"
    print ""
    printf("- peak RSS of the httpd children (sum) during the mix scenario: %.1f MiB\n", num("mem.peak_rss_kb") / 1024)
    printf("- soak: %d s of the mix (%.0f req/s, p99 %s ms, %d non-2xx); children's RSS %.1f MiB after %d s, %.1f MiB at the end: ratio %.3f (same child processes: %s)\n",
           num("mem.soak_s"), num("soak.rps"), ms(num("soak.p99_us")), num("soak.non2xx") + num("soak.sock_errors"),
           num("mem.rss_start_kb") / 1024, num("mem.warm_s"), num("mem.rss_end_kb") / 1024, mem_r, V["mem.same_children"])
    print ""
    if (num("profile.done")) print "Perf profiles of get-one and list are in `profile.md`."
    else print "No perf profile was taken (perf missing or not permitted)."
}

# The pass of growth measurement sc (sc, sc_p2, sc_p3, ...) with the
# lowest p50.
function best(sc,    b, k) {
    b = sc
    for (k = 2; has("sc." sc "_p" k ".p50_us"); k++)
        if (num("sc." sc "_p" k ".p50_us") < num("sc." b ".p50_us"))
            b = sc "_p" k
    return b
}

function dav_row(title, server, sc, radicale,    p, cpu) {
    p = "sc." sc "."
    cpu = radicale ? cpu_req(sc, "radicale") : cpu_req(sc, "httpd") + cpu_req(sc, "pg")
    printf("| %s | %s | %.0f | %s | %s | %d | %.3f |\n", title, server, num(p "rps"), ms(num(p "p50_us")), ms(num(p "p99_us")),
           num(p "non2xx") + num(p "sock_errors"), cpu)
}

function grow_row(title, sc,    p) {
    p = "sc." best(sc) "."
    printf("| %s | %.0f | %s | %s | %s | %s |\n", title, num(p "rps"), ms(num(p "p50_us")), ms(num(p "p90_us")), ms(num(p "p99_us")), ms(num(p "max_us")))
}

function json(    k, n, t, keys, i, j, np, parts, prev, pp, depth, d, ind) {
    print "{"
    printf("  \"targets\": [\n")
    for (t = 1; t <= nt; t++)
        printf("    {\"name\": %s, \"pass\": %s, \"measured\": %s}%s\n", jstr(T_name[t]), T_ok[t] ? "true" : "false", jstr(T_detail[t]), t < nt ? "," : "")
    printf("  ],\n  \"passed\": %d,\n  \"failed\": %d,\n", nt - failed, failed + 0)
    # every fact, nested by its dotted key (sc.get.rps -> "sc": {"get": {"rps": ...}})
    n = 0
    for (k in V) keys[++n] = k
    for (i = 2; i <= n; i++) { t = keys[i]; for (j = i - 1; j >= 1 && keys[j] > t; j--) keys[j + 1] = keys[j]; keys[j + 1] = t }
    depth = 0   # open objects beyond the top level
    for (i = 1; i <= n; i++) {
        np = split(keys[i], parts, ".")
        # close objects that do not match this key's prefix
        d = 0
        while (d < depth && d < np - 1 && prev[d + 1] == parts[d + 1]) d++
        if (i > 1) {
            for (; depth > d; depth--) { printf("\n%s}", indent(depth)) }
            printf(",")
        }
        printf("\n")
        for (; depth < np - 1; depth++) { prev[depth + 1] = parts[depth + 1]; printf("%s%s: {\n", indent(depth), jstr(parts[depth + 1])) }
        printf("%s%s: %s", indent(depth), jstr(parts[np]), jval(V[keys[i]]))
    }
    for (; depth > 0; depth--) printf("\n%s}", indent(depth))
    printf("\n}\n")
}

function indent(d,    s) { s = "  "; while (d-- > 0) s = s "  "; return s }
