#!/bin/bash
# check-layers.sh - arrows point down. Each layer may include only the
# headers of the layers below it (README, "Layout"):
#   core     APR, jansson, OpenSSL, libjwt        - tasks/core
#   store    + apr_dbd, libpq                     - tasks/core, tasks/store
#   service                                       - tasks/core, tasks/store, tasks/service
#   httpd    + httpd                              - everything
#   cli      (mod-tasks, beside httpd)            - tasks/core, tasks/store, tasks/service
# and core, store, service and cli never include an httpd header.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
check() { # layer, allowed tasks/ prefixes (regex), files...
    local layer=$1 allowed=$2; shift 2
    local f line
    for f in "$@"; do
        while IFS= read -r line; do
            case "$line" in
            *'"tasks/'*)
                if ! [[ "$line" =~ \"tasks/($allowed)/ ]]; then
                    echo "layers: $f ($layer) includes ${line#*#include }" >&2; bad=1
                fi ;;
            *'<httpd.h>'*|*'<http_'*|*'<mod_'*|*'<ap_'*|*'<util_'*)
                echo "layers: $f ($layer) includes an httpd header: ${line#*#include }" >&2; bad=1 ;;
            esac
        done < <(grep -E '^#include' "$f")
    done
}
check core 'core' src/core/*.c include/tasks/core/*.h
check store 'core|store' src/store/*.c src/store/*.h include/tasks/store/*.h
check service 'core|store|service' src/service/*.c include/tasks/service/*.h
check cli 'core|store|service' src/cli/*.c src/cli/*.h
# The store names no libpq outside its connection file; the core no apr_dbd.
if grep -lE '^#include <(apr_dbd|libpq)' src/core/*.c include/tasks/core/*.h 2>/dev/null; then
    echo "layers: the core includes a database header" >&2; bad=1
fi
[ $bad = 0 ] && echo "==> layers: core < store < service < httpd | cli, no upward include"
exit $bad
