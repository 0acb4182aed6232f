# Sourced by the tests of the cmaplan command: the command and the fixtures, a scratch directory
# ($tmp, removed on exit unless the test sets its own trap), the tallies (ok, bad, and finish NAME
# to print them and fail the test if any check failed) and json_get FILE EXPR.
cmaplan="${top_builddir}/tools/cmaplan"
fixtures="${top_srcdir}/tests/fixtures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
finish() { echo "$1: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
