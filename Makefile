# mod_tasks - build, run and test. `make run` and `make test` set up
# everything they need (apt packages included) on a Debian 12 machine.

PORT        ?= 8080
comma       := ,
APXS        ?= apxs
PGBIN       ?= $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin)))
RUN_DIR     ?= $(CURDIR)/.run
DATABASE_URL ?=
# The runtime role (the user in DBDParams) that make migrate grants
# sql/grants.sql to; empty: no grants.
GRANT_TO    ?=
# Where mod-tasks migrate finds sql/ unless given --sql-dir: the
# installed share dir (the same build is installed as /usr/sbin/mod-tasks),
# so a checkout's build is run with --sql-dir sql.
# mod-tasks looks for the migrations next to itself first (an installed
# $(SBINDIR)/mod-tasks: $(SBINDIR)/../share/mod-tasks/sql), then here.
SQL_DIR     ?= /usr/share/mod-tasks/sql

# Debian packages, by what needs them: building the module needs only the
# first set; `make run` adds the stack; the tests and the benchmark add
# their tools. Each target installs what it needs and no more. The tests':
# Check (unit, service, integration), curl, chromium (e2e), fail2ban (its
# filter), clang and libFuzzer (fuzz replay), python3-caldav, vdirsyncer
# and todoman (CalDAV clients), pgbouncer (the integration suites through
# a pooler) and openssl (stack.sh's TLS certificates, PG_TLS=1). The
# benchmark's: wrk, radicale (CalDAV next to it), pgbouncer.
BUILD_PACKAGES = apache2-dev libaprutil1-dbd-pgsql libjwt-dev libjansson-dev \
  libssl-dev libpq-dev libcurl4-openssl-dev libical-dev pkg-config
RUN_PACKAGES   = $(BUILD_PACKAGES) apache2 postgresql
TEST_PACKAGES  = $(RUN_PACKAGES) check libsubunit-dev curl chromium fail2ban \
  clang libfuzzer-14-dev python3-caldav vdirsyncer todoman pgbouncer openssl
BENCH_PACKAGES = $(RUN_PACKAGES) wrk curl radicale pgbouncer
# Node.js may come from elsewhere (e.g. NodeSource, whose nodejs bundles
# npm and conflicts with Debian's npm): install Debian's only when absent.
NODE_PACKAGES = $(if $(shell command -v npm),,nodejs npm)

# The layers, from the bottom up (see README, "Layout"): each may use only
# those before it.
CORE_SRC    = $(wildcard src/core/*.c)
STORE_SRC   = $(wildcard src/store/*.c)
SERVICE_SRC = $(wildcard src/service/*.c)
CLI_SRC     = $(wildcard src/cli/*.c)
HTTPD_SRC   = mod_tasks.c $(wildcard src/httpd/*.c) build/openapi_doc.c
HEADERS  = $(wildcard include/tasks/*/*.h src/*/*.h)
LIBS     = -ljwt -ljansson -lcrypto -lpq -lcurl -lical
# Release builds warn; the tests (and CI) turn warnings into errors.
WERROR  ?=
WARN     = -Wall -Wextra $(WERROR)

PKG_CFLAGS = $(shell pkg-config --cflags apr-1 apr-util-1 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs apr-1 apr-util-1 check 2>/dev/null)

.PHONY: fuzz fuzz-build fuzz-replay integration-sanitized integration-pooler-session caldav mcp all deps deps-build deps-run deps-test deps-bench deps-package deps-test-package build programs admin layers unit service integration e2e test test-package run migrate bench bench-compare clean install uninstall deb

# Installation (make install, make deb; README, "Install"). The usual
# conventions: DESTDIR stages, PREFIX places what is not Apache's own.
# The module goes where apxs says modules live; the snippets into Debian's
# layout when /etc/apache2 exists, apxs's sysconfdir otherwise.
PREFIX     ?= /usr/local
DESTDIR    ?=
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share/mod-tasks
LIBEXECDIR ?= $(shell $(APXS) -q LIBEXECDIR 2>/dev/null)
APACHE_CONFDIR ?= $(if $(wildcard /etc/apache2),/etc/apache2,$(shell $(APXS) -q SYSCONFDIR 2>/dev/null))
MODS_DIR   = $(APACHE_CONFDIR)/mods-available
SITE_DIR   = $(APACHE_CONFDIR)/tasks
# The admin programs, installed into $(SBINDIR) under their file names:
# mod-tasks (src/cli/), which finds the migrations next to itself
# ($(SBINDIR)/../share/mod-tasks/sql).
ADMIN_PROGRAMS = build/mod-tasks
# What make install copies from the checkout (and make uninstall removes).
HTDOCS_FILES = $(sort $(shell find htdocs -type f))
SQL_FILES    = $(sort $(wildcard sql/*.sql))
PACKAGE_PACKAGES = debhelper dpkg-dev fakeroot lintian

all: build

# Install what is missing of $(1), without prompts, and without starting
# services: a temporary policy-rc.d keeps apt from launching Debian's own
# apache2 or postgresql cluster.
define install_missing
	@missing=$$(for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "==> installing:" $$missing; \
	  [ "$$(id -u)" = 0 ] || { echo "need root to install: $$missing" >&2; exit 1; }; \
	  created=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created=1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; rc=$$?; \
	  [ -n "$$created" ] && rm -f /usr/sbin/policy-rc.d; exit $$rc; \
	fi
endef

deps-build:
	$(call install_missing,$(BUILD_PACKAGES))
deps-run:
	$(call install_missing,$(RUN_PACKAGES))
deps-test:
	$(call install_missing,$(TEST_PACKAGES) $(NODE_PACKAGES))
deps-bench:
	$(call install_missing,$(BENCH_PACKAGES))
deps-package:
	$(call install_missing,$(BUILD_PACKAGES) $(PACKAGE_PACKAGES))
deps-test-package:
	$(call install_missing,$(RUN_PACKAGES) $(PACKAGE_PACKAGES) curl)
deps: deps-test

build: deps-build programs

# What make install installs that is built: the module and the admin
# programs (no dependency check: debian/rules calls it too).
programs: .libs/mod_tasks.so $(ADMIN_PROGRAMS)

# The admin command (README, "mod-tasks (the admin command)"): the
# service, the store and the core linked with apr_dbd, no httpd.
admin: deps-build build/mod-tasks

build/mod-tasks: $(CLI_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) $(HEADERS)
	@mkdir -p build
	cc -std=gnu11 -g -O2 $(WARN) $(EXTRA_CFLAGS) -Iinclude $(shell pkg-config --cflags apr-1 apr-util-1 jansson libpq) \
	  -DTASKS_SQL_DIR='"$(SQL_DIR)"' -o $@ $(CLI_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) \
	  $(EXTRA_LDFLAGS) $(shell pkg-config --libs apr-1 apr-util-1 jansson) -ljwt -lcrypto -lpq -lical
	@echo "==> built build/mod-tasks"

# The OpenAPI document is compiled in, served at /api/openapi.json.
build/openapi_doc.c: htdocs/openapi.json
	@mkdir -p build
	perl -0777 -ne 's/\\/\\\\/g; s/"/\\"/g; s/\n/\\n"\n"/g; print "/* generated from htdocs/openapi.json */\nconst char tasks_openapi_json[] = \"$$_\";\n"' $< > $@

.libs/mod_tasks.so: $(HTTPD_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) $(HEADERS)
	@mkdir -p build
	$(APXS) -c -o mod_tasks.la -Iinclude $(shell pkg-config --cflags libpq) -Wc,"$(WARN) -std=gnu11 $(EXTRA_CFLAGS)" \
	  $(if $(EXTRA_LDFLAGS),-Wl$(comma)"$(EXTRA_LDFLAGS)") \
	  $(HTTPD_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) $(LIBS) > build/apxs.log 2>&1 || { cat build/apxs.log; exit 1; }
	@echo "==> built .libs/mod_tasks.so"

FORCE:

# The module under AddressSanitizer + UBSan, for make integration
# SANITIZE=1 (README, "Testing"): built beside the release build, never
# installed; httpd loads it with the sanitizers' runtime preloaded. UBSan
# reports and goes on (the run fails on the report at its end); ASan
# stops the child.
SAN_MODULE_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer
build/san/mod_tasks.so: $(HTTPD_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) $(HEADERS)
	@mkdir -p build/san
	cc -shared -fPIC -std=gnu11 -g -O1 $(WARN) $(SAN_MODULE_FLAGS) -Iinclude \
	  -I$(shell $(APXS) -q INCLUDEDIR) $(PKG_CFLAGS) $(shell pkg-config --cflags libpq) \
	  -o $@ $(HTTPD_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) \
	  $(shell pkg-config --libs apr-1 apr-util-1) $(LIBS)
	@echo "==> built $@ (ASan + UBSan)"

# Unit tests: the core only, no server, under ASan + UBSan.
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
build/unit_tests: $(CORE_SRC) $(wildcard tests/unit/*.c tests/unit/*.h) $(HEADERS)
	@mkdir -p build
	cc -std=gnu11 -g -O1 $(WARN) $(SAN) -Iinclude $(PKG_CFLAGS) \
	  -o $@ $(CORE_SRC) tests/unit/*.c $(PKG_LIBS) $(LIBS)

# Every test target builds with -Werror (and so does CI, through make test).
layers unit fuzz-build fuzz-replay fuzz service integration e2e test: WERROR = -Werror

unit: deps-test build/unit_tests
	@echo "==> unit tests (ASan + UBSan)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ./build/unit_tests

# libFuzzer targets (README, "Fuzzing"): one per parser of outside
# input, linking only the core, under ASan + UBSan. `make fuzz` fuzzes each
# for FUZZ_SECONDS; `make fuzz-replay` (part of make test) runs the
# committed corpus and crash reproducers once through each.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_CC      = clang
FUZZ_CFLAGS  = -std=gnu11 -g -O1 $(WARN) -Wno-unused-function -fno-omit-frame-pointer \
  -fno-sanitize-recover=all -Iinclude $(shell pkg-config --cflags apr-1 apr-util-1 jansson 2>/dev/null)
FUZZ_OBJS    = $(patsubst src/core/%.c,build/fuzz/obj/%.o,$(CORE_SRC))
build/fuzz/obj/%.o: src/core/%.c $(HEADERS)
	@mkdir -p build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJS) \
	  $(shell pkg-config --libs apr-1 apr-util-1 jansson 2>/dev/null) -ljwt -lcrypto -lical
.SECONDARY: $(FUZZ_OBJS)
fuzz-build: deps-test $(addprefix build/fuzz/,$(FUZZ_TARGETS))
fuzz-replay: fuzz-build
	@echo "==> fuzz targets: corpus and crash reproducers replayed"
	@scripts/fuzz.sh replay $(FUZZ_TARGETS)
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh run $(FUZZ_TARGETS)

# Arrows point down: no file includes a header of a layer above its own.
# and every log tag is unique and documented.
layers:
	@scripts/check-layers.sh
	@scripts/check-log-tags.sh

# Service tests: the services and the store with apr_dbd directly (no
# httpd) against a private PostgreSQL, under ASan + UBSan.
service: deps-test build/mod-tasks
	@echo "==> service tests (apr_dbd + PostgreSQL, no httpd; ASan + UBSan)"
	PGBIN=$(PGBIN) tests/service/run.sh
	@echo "==> admin command tests (build/mod-tasks against PostgreSQL)"
	PGBIN=$(PGBIN) tests/cli/run.sh

# SANITIZE=1: the same suites against the module built with ASan + UBSan.
# POOLER=transaction|session: httpd reaches PostgreSQL through a real
# PgBouncer in that pool_mode (and TasksDBPooling to match). SUITES: only
# these suites (names as in tests/integration/main.c), e.g. "auth tasks".
SANITIZE ?=
POOLER ?=
SUITES ?=
integration: deps-test build $(if $(filter 1,$(SANITIZE)),build/san/mod_tasks.so)
	@echo "==> integration tests (real httpd + PostgreSQL$(if $(POOLER),$(comma) through PgBouncer in pool_mode $(POOLER))$(if $(filter 1,$(SANITIZE)),$(comma) the module under ASan + UBSan))"
	PGBIN=$(PGBIN) SANITIZE=$(SANITIZE) POOLER=$(POOLER) SUITES="$(SUITES)" tests/integration/run.sh

e2e: deps-test build
	@echo "==> browser tests (headless Chromium)"
	PGBIN=$(PGBIN) tests/e2e/run.sh

# CalDAV clients nobody on the team wrote: python3-caldav, vdirsyncer with
# todoman, tsdav.
caldav: deps-test build
	@echo "==> CalDAV clients (python3-caldav, vdirsyncer + todoman, tsdav)"
	PGBIN=$(PGBIN) tests/caldav/run.sh

# MCP clients nobody on the team wrote: the official SDK, inspector-cli,
# the conformance suite.
mcp: deps-test build
	@echo "==> MCP clients (the TypeScript SDK, inspector-cli, the conformance suite)"
	PGBIN=$(PGBIN) tests/mcp/run.sh

# The integration suites twice: against the release build on a direct
# connection (TasksDBPooling session), then against the module under
# ASan + UBSan through PgBouncer's transaction pooling (TasksDBPooling
# transaction); and the account, task and fault suites (a PostgreSQL
# restart among them) through PgBouncer's session pooling.
integration-sanitized:
	@$(MAKE) --no-print-directory integration SANITIZE=1 POOLER=transaction
integration-pooler-session:
	@$(MAKE) --no-print-directory integration POOLER=session SUITES="auth tasks faults"

test: layers unit fuzz-replay service integration integration-sanitized integration-pooler-session e2e caldav mcp test-package

# The Debian package, built, installed into this machine's Apache,
# exercised against a private PostgreSQL and httpd, and purged (needs
# root; tests/package/run.sh).
test-package: deps-test-package
	@echo "==> package test (make deb, dpkg -i, a private httpd on the installed module, purge)"
	PGBIN=$(PGBIN) tests/package/run.sh

# make install: everything a running site needs; make uninstall removes
# exactly that (and refuses while a2enmod has the module enabled).
install: build
	@[ -n "$(LIBEXECDIR)" ] && [ -n "$(APACHE_CONFDIR)" ] || { echo "install: apxs gave no LIBEXECDIR/SYSCONFDIR" >&2; exit 1; }
	install -d -m 755 $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MODS_DIR) $(DESTDIR)$(SITE_DIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/sql
	install -m 644 .libs/mod_tasks.so $(DESTDIR)$(LIBEXECDIR)/mod_tasks.so
	sed 's|^LoadModule tasks_module .*|LoadModule tasks_module $(LIBEXECDIR)/mod_tasks.so|' conf/tasks.load > $(DESTDIR)$(MODS_DIR)/tasks.load
	install -m 644 conf/tasks-module.conf $(DESTDIR)$(MODS_DIR)/tasks.conf
	sed -e 's|/usr/share/mod-tasks/htdocs|$(DATADIR)/htdocs|g' -e 's|/etc/apache2/|$(APACHE_CONFDIR)/|g' \
	  conf/tasks.conf > $(DESTDIR)$(SITE_DIR)/vhost.conf
	chmod 644 $(DESTDIR)$(MODS_DIR)/tasks.load $(DESTDIR)$(SITE_DIR)/vhost.conf
	install -m 755 $(ADMIN_PROGRAMS) $(DESTDIR)$(SBINDIR)/
	for f in $(HTDOCS_FILES); do install -D -m 644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done
	install -m 644 $(SQL_FILES) $(DESTDIR)$(DATADIR)/sql/
	@echo "==> installed; next: a2enmod tasks headers, a virtual host that includes $(SITE_DIR)/vhost.conf, $(SBINDIR)/mod-tasks migrate (README, \"Install\")"

uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -e $(APACHE_CONFDIR)/mods-enabled/tasks.load ]; then \
	  echo "uninstall: the module is enabled; a2dismod tasks first (and take the Include of $(SITE_DIR)/vhost.conf out of your sites)" >&2; exit 1; fi
	rm -f $(DESTDIR)$(LIBEXECDIR)/mod_tasks.so $(DESTDIR)$(MODS_DIR)/tasks.load $(DESTDIR)$(MODS_DIR)/tasks.conf \
	  $(DESTDIR)$(SITE_DIR)/vhost.conf
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(ADMIN_PROGRAMS)))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(HTDOCS_FILES) $(SQL_FILES))
	@# $(SITE_DIR) also holds the admin's secret and database.conf: kept then
	rmdir $(DESTDIR)$(SITE_DIR) 2>/dev/null || true
	@# the folders make install made, deepest first, when nothing else is in them
	for d in $$(printf '%s\n' $(sort $(dir $(HTDOCS_FILES) $(SQL_FILES))) | sort -r) ''; do \
	  rmdir "$(DESTDIR)$(DATADIR)/$$d" 2>/dev/null || true; done

# The Debian package (debian/, debhelper compat 13, dh_apache2), left in
# dist/ with lintian's verdict.
DEB_VERSION = $(shell awk -F'"' '/define TASKS_VERSION /{print $$2}' include/tasks/core/version.h)
deb: deps-package
	@v=$$(dpkg-parsechangelog -S Version | sed 's/-[^-]*$$//'); [ "$$v" = "$(DEB_VERSION)" ] || \
	  { echo "deb: debian/changelog says $$v, version.h $(DEB_VERSION): add a changelog entry (dch -v $(DEB_VERSION))" >&2; exit 1; }
	rm -rf build/deb && mkdir -p build/deb dist
	@# the checkout's files (tracked, and new ones not ignored), not .run/ or node_modules/
	if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t build/deb; \
	else tar cf - --exclude=./.run --exclude=./build --exclude=./dist --exclude=./.libs \
	  --exclude=node_modules . | tar xf - -C build/deb; fi
	cd build/deb && dpkg-buildpackage -b -us -uc -rfakeroot > ../deb.log 2>&1 || { tail -40 ../deb.log; exit 1; }
	mv build/libapache2-mod-tasks_$(DEB_VERSION)_*.deb dist/
	rm -f build/libapache2-mod-tasks*_*.buildinfo build/libapache2-mod-tasks*_*.changes build/libapache2-mod-tasks-dbgsym_*.deb
	@echo "==> lintian"
	lintian --fail-on error --info dist/libapache2-mod-tasks_$(DEB_VERSION)_$$(dpkg --print-architecture).deb
	@ls -l dist/*.deb

run: deps-run build
	PGBIN=$(PGBIN) PORT=$(PORT) RUN_DIR=$(RUN_DIR) scripts/stack.sh run

migrate: deps-run
	@[ -n "$(DATABASE_URL)" ] || { echo "usage: make migrate DATABASE_URL=postgresql://... [GRANT_TO=role]" >&2; exit 2; }
	scripts/migrate.sh $(if $(GRANT_TO),--grant-to "$(GRANT_TO)") "$(DATABASE_URL)"

bench: deps-bench build
	PGBIN=$(PGBIN) tests/bench/run.sh

# This build against BASE (a git revision) side by side in one run:
# get-one and list-of-50, alternating rounds, medians and their ratio.
BASE ?= HEAD
bench-compare: deps-bench build
	PGBIN=$(PGBIN) BASE=$(BASE) tests/bench/compare.sh

clean:
	rm -rf .libs build dist *.la *.lo *.slo src/*/*.lo src/*/*.slo src/*/.libs src/*/*.la
