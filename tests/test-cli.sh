#!/bin/bash
# The cmaplan command: help, errors, show (text and JSON) and capture round trips.
set -euo pipefail
. "${top_srcdir}/tests/cli-common.sh"

# help and usage errors
"$cmaplan" --help | grep -q '^Usage: cmaplan' && ok || bad "--help"
"$cmaplan" show --help | grep -q 'Usage: cmaplan .*show' && ok || bad "show --help"
set +e
"$cmaplan" frobnicate 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "unknown command 'frobnicate'" "$tmp/err" && ok || bad "unknown command (rc $rc)"
set +e
"$cmaplan" --root /nonexistent/x show 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "/nonexistent/x" "$tmp/err" && ok || bad "missing root (rc $rc)"

# show on the seed host
"$cmaplan" --root "$fixtures/seed-000" show > "$tmp/show.txt"
grep -q '^Node 1:' "$tmp/show.txt" && ok || bad "seed show: no Node 1"
grep -q 'csv-n1\*' "$tmp/show.txt" && ok || bad "seed show: no CSV areas on node 1"
grep -q 'csv_mem_percentage=50' "$tmp/show.txt" && ok || bad "seed show: no boot parameter"
# --no-pagetypeinfo: the snapshot without proc/pagetypeinfo (the tree has it)
"$cmaplan" show --help | grep -q -- '--no-pagetypeinfo' && ok || bad "show --help: no --no-pagetypeinfo"
"$cmaplan" --root "$fixtures/seed-000" --json show --no-pagetypeinfo > "$tmp/nopti.json" &&
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["host"]["facts"]["pagetypeinfo"] is False' \
        "$tmp/nopti.json" && ok || bad "show --no-pagetypeinfo: pagetypeinfo still read"
"$cmaplan" --root "$fixtures/seed-000" show --no-pagetypeinfo | grep -q 'pagetypeinfo not readable' && ok ||
        bad "show --no-pagetypeinfo: no fact line"
set +e
"$cmaplan" --root "$fixtures/seed-000" show --bogus 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "cmaplan show --help" "$tmp/err" && ok || bad "show --bogus: rc $rc"
"$cmaplan" --root "$fixtures/seed-000" --json show > "$tmp/seed.json"
[ "$(json_get "$tmp/seed.json" '[z["nr_free_cma"] for n in d["nodes"] if n["id"]==1 for z in n["zones"] if z["name"]=="Normal"][0]')" = 16774451 ] \
        && ok || bad "seed json: node 1 Normal nr_free_cma"
[ "$(json_get "$tmp/seed.json" 'len([a for a in d["cma_areas"] if a["kind"]=="csv" and a["node"]==1])')" = 64 ] \
        && ok || bad "seed json: 64 csv areas on node 1"

# a malformed tree: exit 1, the file and line named
set +e
"$cmaplan" --root "$fixtures/malformed/zoneinfo-min-nonnumeric" show > /dev/null 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q 'proc/zoneinfo:[0-9]*: ' "$tmp/err" && ok || bad "malformed: rc $rc, $(cat "$tmp/err")"

# bytes that are not UTF-8 still give JSON that parses, each byte kept as \u00XX
cp -r "$fixtures/minimal" "$tmp/latin1" && chmod -R u+w "$tmp/latin1"
printf 'root=x caf\xc3\xa9 bad=\xff\x01\n' > "$tmp/latin1/proc/cmdline"
"$cmaplan" --root "$tmp/latin1" --json show > "$tmp/latin1.json"
[ "$(json_get "$tmp/latin1.json" 'd["host"]["cmdline"] == "root=x caf\u00e9 bad=\u00ff\u0001"')" = True ] \
        && ok || bad "non-UTF-8 cmdline in JSON"

# capture round trip on a fixture: the copy reads exactly the same
"$cmaplan" --root "$fixtures/seed-000" capture "$tmp/cap" > /dev/null
"$cmaplan" --root "$tmp/cap" --json show > "$tmp/cap.json"
python3 - "$tmp/seed.json" "$tmp/cap.json" <<'PY' && ok || bad "capture of seed-000 differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop("root"); b.pop("root")
sys.exit(0 if a == b else 1)
PY
set +e
"$cmaplan" --root "$fixtures/seed-000" capture "$tmp/cap" 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q 'already holds a capture' "$tmp/err" && ok || bad "capture into a used directory (rc $rc)"

# capture of the live host reads back
"$cmaplan" capture "$tmp/live" > /dev/null && "$cmaplan" --root "$tmp/live" show > /dev/null && ok || bad "live capture"

finish cli
