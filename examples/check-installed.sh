#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build examples/cmaplan-example.c against an INSTALLED libcmaplan with pkg-config, run it, and
# run the Python orchestrator with the installed cmaplan package. For CI after an install:
#
#   ./configure --prefix="$tmp" && make install && examples/check-installed.sh --prefix "$tmp"
#   make install DESTDIR="$tmp" && examples/check-installed.sh --destdir "$tmp"   # prefix /usr/local
#
# Options: --prefix DIR (default /usr/local)   --destdir DIR (the DESTDIR of the install)
#          --root DIR (host to read; default the seed-000 fixture beside this script, else /)
#          --pythondir DIR (where the cmaplan package is; default: searched under the prefix)
# Environment: CC (cc), CFLAGS, LDFLAGS, PKG_CONFIG (pkg-config), PYTHON (python3; "no" skips).
set -eu

prefix=/usr/local destdir= root= pythondir=
while [ $# -gt 0 ]; do
        case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --destdir) destdir=$2; shift 2 ;;
        --root) root=$2; shift 2 ;;
        --pythondir) pythondir=$2; shift 2 ;;
        -h|--help) sed -n '3,13p' "$0"; exit 0 ;;
        *) echo "check-installed.sh: unknown argument '$1'" >&2; exit 2 ;;
        esac
done

here=$(cd "$(dirname "$0")" && pwd)
base=$destdir$prefix
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
PYTHON=${PYTHON:-python3}
if [ -z "$root" ]; then
        root=/
        [ -d "$here/../tests/fixtures/seed-000" ] && root=$(cd "$here/../tests/fixtures/seed-000" && pwd)
fi

pc=$(find "$base" -name libcmaplan.pc -path '*/pkgconfig/*' 2>/dev/null | head -n 1)
[ -n "$pc" ] || { echo "check-installed.sh: no libcmaplan.pc under $base" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the installed .pc only: never an uninstalled one, and file paths below DESTDIR
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_DISABLE_UNINSTALLED=1
export PKG_CONFIG_PATH PKG_CONFIG_DISABLE_UNINSTALLED
if [ -n "$destdir" ]; then
        PKG_CONFIG_SYSROOT_DIR=$destdir
        export PKG_CONFIG_SYSROOT_DIR
fi
cflags=$($PKG_CONFIG --cflags libcmaplan)
libs=$($PKG_CONFIG --libs libcmaplan)
libdir=$($PKG_CONFIG --variable=libdir libcmaplan)
case "$libdir" in "$destdir"/*) ;; *) libdir=$destdir$libdir ;; esac
echo "pkg-config --cflags --libs libcmaplan: $cflags $libs"

# shellcheck disable=SC2086 # word splitting of the flags is intended
$CC ${CFLAGS:-} $cflags -o "$tmp/cmaplan-example" "$here/cmaplan-example.c" ${LDFLAGS:-} $libs
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
"$tmp/cmaplan-example" "$root" > "$tmp/out"
grep -q '^host ' "$tmp/out" && grep -q '^node ' "$tmp/out" || {
        cat "$tmp/out"; echo "check-installed.sh: unexpected output of the C example" >&2; exit 1; }
echo "C example on $root: $(head -n 1 "$tmp/out")"

[ "$PYTHON" = no ] && exit 0
if [ -z "$pythondir" ]; then
        init=$(find "$base" -path '*-packages/cmaplan/__init__.py' 2>/dev/null | head -n 1)
        [ -n "$init" ] || { echo "check-installed.sh: no cmaplan package under $base (PYTHON=no skips)" >&2; exit 1; }
        pythondir=$(dirname "$(dirname "$init")")
else
        pythondir=$destdir$pythondir
fi
PYTHONPATH=$pythondir PYTHONDONTWRITEBYTECODE=1 "$PYTHON" "$here/orchestrator.py" --root "$root" > "$tmp/py.out"
PYTHONPATH=$pythondir PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -c '
import sys, cmaplan
assert cmaplan.__file__.startswith(sys.argv[1]), cmaplan.__file__
print("Python package:", cmaplan.__file__, cmaplan.__version__)' "$pythondir"
echo "Python orchestrator on $root: $(head -n 1 "$tmp/py.out")"
