#!/bin/sh
# The shared object must export exactly the symbols of lib/libcmaplan.sym, all versioned.
set -eu
so="${top_builddir}/lib/.libs/libcmaplan.so"
map="${top_srcdir}/lib/libcmaplan.sym"
[ -e "$so" ] || { echo "missing $so"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -n 's/^[[:space:]]*\(cmaplan_[A-Za-z0-9_]*\);.*/\1/p' "$map" | sort > "$tmp/map"
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | grep -v '^LIBCMAPLAN_' | sed 's/@.*//' | sort > "$tmp/exported"
if ! diff -u "$tmp/map" "$tmp/exported"; then
        echo "exports differ from $map (- only in the map, + only exported)"
        exit 1
fi
# every export carries a version node
unversioned=$(nm -D --defined-only --with-symbol-versions "$so" 2>/dev/null | awk '$2 ~ /^[TDBR]$/ && $3 !~ /@/ { print $3 }' | grep -v '^LIBCMAPLAN_' || true)
if [ -n "$unversioned" ]; then
        echo "unversioned exports: $unversioned"
        exit 1
fi
echo "exports match the map: $(wc -l < "$tmp/map") symbols"
