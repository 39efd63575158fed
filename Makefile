# mod_tasks - build, run and test. `make run` and `make test` set up
# everything they need (apt packages included) on a Debian 12 machine.

PORT        ?= 8080
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
SQL_DIR     ?= /usr/share/mod-tasks/sql

# Debian packages, by what needs them: building the module needs only the
# first set; `make run` adds the stack; the tests and the benchmark add
# their tools. Each target installs what it needs and no more.
BUILD_PACKAGES = apache2-dev libaprutil1-dbd-pgsql libjwt-dev libjansson-dev \
  libssl-dev libpq-dev libcurl4-openssl-dev pkg-config
RUN_PACKAGES   = $(BUILD_PACKAGES) apache2 postgresql
TEST_PACKAGES  = $(RUN_PACKAGES) check libsubunit-dev curl chromium fail2ban
BENCH_PACKAGES = $(RUN_PACKAGES) wrk curl
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
LIBS     = -ljwt -ljansson -lcrypto -lpq -lcurl
# Release builds warn; the tests (and CI) turn warnings into errors.
WERROR  ?=
WARN     = -Wall -Wextra $(WERROR)

PKG_CFLAGS = $(shell pkg-config --cflags apr-1 apr-util-1 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs apr-1 apr-util-1 check 2>/dev/null)

.PHONY: all deps deps-build deps-run deps-test deps-bench build admin layers unit service integration e2e test run migrate bench bench-compare clean

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
deps: deps-test

build: deps-build .libs/mod_tasks.so build/mod-tasks

# The admin command (README, "mod-tasks (the admin command)"): the
# service, the store and the core linked with apr_dbd, no httpd.
admin: deps-build build/mod-tasks

build/mod-tasks: $(CLI_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) $(HEADERS)
	@mkdir -p build
	cc -std=gnu11 -g -O2 $(WARN) -Iinclude $(shell pkg-config --cflags apr-1 apr-util-1 jansson libpq) \
	  -DTASKS_SQL_DIR='"$(SQL_DIR)"' -o $@ $(CLI_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) \
	  $(shell pkg-config --libs apr-1 apr-util-1 jansson) -ljwt -lcrypto -lpq
	@echo "==> built build/mod-tasks"

# The OpenAPI document is compiled in, served at /api/openapi.json.
build/openapi_doc.c: htdocs/openapi.json
	@mkdir -p build
	perl -0777 -ne 's/\\/\\\\/g; s/"/\\"/g; s/\n/\\n"\n"/g; print "/* generated from htdocs/openapi.json */\nconst char tasks_openapi_json[] = \"$$_\";\n"' $< > $@

.libs/mod_tasks.so: $(HTTPD_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) $(HEADERS)
	@mkdir -p build
	$(APXS) -c -o mod_tasks.la -Iinclude $(shell pkg-config --cflags libpq) -Wc,"$(WARN) -std=gnu11" \
	  $(HTTPD_SRC) $(SERVICE_SRC) $(STORE_SRC) $(CORE_SRC) $(LIBS) > build/apxs.log 2>&1 || { cat build/apxs.log; exit 1; }
	@echo "==> built .libs/mod_tasks.so"

# Unit tests: the core only, no server, under ASan + UBSan.
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
build/unit_tests: $(CORE_SRC) $(wildcard tests/unit/*.c tests/unit/*.h) $(HEADERS)
	@mkdir -p build
	cc -std=gnu11 -g -O1 $(WARN) $(SAN) -Iinclude $(PKG_CFLAGS) \
	  -o $@ $(CORE_SRC) tests/unit/*.c $(PKG_LIBS) $(LIBS)

# Every test target builds with -Werror (and so does CI, through make test).
layers unit service integration e2e test: WERROR = -Werror

unit: deps-test build/unit_tests
	@echo "==> unit tests (ASan + UBSan)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ./build/unit_tests

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

integration: deps-test build
	@echo "==> integration tests (real httpd + PostgreSQL)"
	PGBIN=$(PGBIN) tests/integration/run.sh

e2e: deps-test build
	@echo "==> browser tests (headless Chromium)"
	PGBIN=$(PGBIN) tests/e2e/run.sh

test: layers unit service integration e2e

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
	rm -rf .libs build *.la *.lo *.slo src/*/*.lo src/*/*.slo src/*/.libs src/*/*.la
