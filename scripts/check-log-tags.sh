#!/bin/bash
# check-log-tags.sh - every TASKSnnnn tag the code logs is used for one
# message only and is listed in the README's "Log messages" table (with
# what to do), and the table lists no tag the code does not have.
set -euo pipefail
cd "$(dirname "$0")/.."
code=$(grep -rhoE '"TASKS0[0-9]{3}:' mod_tasks.c src --include=*.c | tr -d '":' | sort)
dups=$(uniq -d <<< "$code")
documented=$(grep -oE '^\| TASKS0[0-9]{3} \|' README.md | tr -d '| ' | sort -u)
bad=0
[ -z "$dups" ] || { echo "log tags used for more than one message: $dups" >&2; bad=1; }
missing=$(comm -23 <(uniq <<< "$code") <(echo "$documented"))
extra=$(comm -13 <(uniq <<< "$code") <(echo "$documented"))
[ -z "$missing" ] || { echo "log tags missing from the README: $missing" >&2; bad=1; }
[ -z "$extra" ] || { echo "README lists log tags the code does not have: $extra" >&2; bad=1; }
[ $bad = 0 ] && echo "==> log tags: $(uniq <<< "$code" | wc -l) unique, all in the README"
exit $bad
