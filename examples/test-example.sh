#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check: the C example, built with pkg-config through examples/libcmaplan-uninstalled.pc
# (examples/examples.am), run on the seed host, a missing root and a malformed tree.
set -eu
example=${top_builddir}/examples/cmaplan-example
fixtures=${top_srcdir}/tests/fixtures
LD_LIBRARY_PATH=${top_builddir}/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
[ -x "$example" ] || { echo "missing $example"; exit 1; }
[ -d "$fixtures/seed-000" ] || { echo "SKIP: no fixture tree seed-000"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# the flags came from the uninstalled .pc: the in-tree header and library
flags=$(PKG_CONFIG_PATH=${top_builddir}/examples ${PKG_CONFIG:-pkg-config} --cflags --libs libcmaplan)
case "$flags" in *"/include"*"/lib/.libs"*) ok ;; *) bad "pkg-config flags: $flags" ;; esac

"$example" "$fixtures/seed-000" > "$tmp/out"
cat "$tmp/out" | head -n 12
grep -q '^host .*: kernel 6\.6\..*, 8 nodes, 512 CMA areas, base page 4096 bytes$' "$tmp/out" && ok || bad "host line"
[ "$(grep -c '^node ' "$tmp/out")" = 8 ] && ok || bad "8 node lines"
grep -q '^  zone Normal .*free CMA 16774451 pages' "$tmp/out" && ok || bad "node 1 Normal free CMA"
[ "$(grep -c '^  CMA areas: 64, 65536 MiB' "$tmp/out")" = 8 ] && ok || bad "64 x 1 GiB CMA areas per node"

set +e
"$example" /nonexistent/root > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ $rc = 1 ] && grep -q '/nonexistent/root' "$tmp/err" && ok || bad "missing root: rc $rc, $(cat "$tmp/err")"
if [ -d "$fixtures/malformed/zoneinfo-min-nonnumeric" ]; then
        set +e
        "$example" "$fixtures/malformed/zoneinfo-min-nonnumeric" > /dev/null 2> "$tmp/err"; rc=$?
        set -e
        [ $rc = 1 ] && grep -q 'proc/zoneinfo:148: ' "$tmp/err" && ok || bad "malformed: rc $rc, $(cat "$tmp/err")"
fi
echo "example: $pass passed, $fail failed"
[ $fail -eq 0 ]
