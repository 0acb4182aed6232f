#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages render without warnings, document every symbol of lib/libcmaplan.sym and every
# command of 'cmaplan --help'.
set -eu
man1=${top_srcdir}/man/cmaplan.1
man3=${top_srcdir}/man/libcmaplan.3
map=${top_srcdir}/lib/libcmaplan.sym
cmaplan=${top_builddir}/tools/cmaplan
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skipped=
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

for page in "$man1" "$man3"; do
        if command -v man > /dev/null 2>&1; then
                # man -l: the page through the same pipeline a user gets; --warnings: groff -w all
                LC_ALL=C.UTF-8 MANWIDTH=80 MAN_KEEP_FORMATTING= man --warnings -E UTF-8 -l "$page" \
                        > "$tmp/out" 2> "$tmp/err" || bad "man -l $page failed"
                [ -s "$tmp/err" ] && bad "man --warnings -l $page: $(cat "$tmp/err")" || ok
                [ -s "$tmp/out" ] && ok || bad "man -l $page rendered nothing"
        else
                skipped="$skipped man"
        fi
        if command -v groff > /dev/null 2>&1; then
                groff -man -ww -z -t "$page" 2> "$tmp/err" || bad "groff $page failed"
                [ -s "$tmp/err" ] && bad "groff -ww $page: $(cat "$tmp/err")" || ok
        else
                skipped="$skipped groff"
        fi
done

# every exported symbol is documented in libcmaplan(3)
for sym in $(sed -n 's/^[[:space:]]*\(cmaplan_[A-Za-z0-9_]*\);.*/\1/p' "$map"); do
        grep -qwF -- "$sym" "$man3" && ok || \
                bad "$sym (lib/libcmaplan.sym) is not documented in man/libcmaplan.3"
done

# every command of the tool has a section in cmaplan(1)
if [ -x "$cmaplan" ]; then
        for cmd in $("$cmaplan" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'); do
                if grep -q "^\.SS \"\{0,1\}$cmd\b" "$man1"; then
                        ok
                else
                        bad "command '$cmd' has no .SS section in man/cmaplan.1"
                fi
        done
fi

[ -n "$skipped" ] && echo "not available, not checked:$skipped"
echo "man: $pass passed, $fail failed"
[ $fail -eq 0 ]
