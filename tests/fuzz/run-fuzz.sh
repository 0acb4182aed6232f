#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'make fuzz': run each parser fuzzer for a bounded time, one at a time, and fail on any finding.
#
#   run-fuzz.sh --probe CC
#       exit 0 if CC links a libFuzzer target with ASan and UBSan, 1 otherwise
#   run-fuzz.sh --srcdir DIR --seconds N [--max-len BYTES] [--real-hosts DIR] HARNESS...
#       run tests/fuzz/fuzz-HARNESS (already built in the current directory) on a seed corpus
#       gathered into a temporary directory; print the executions of each at the end
set -u

if [ "${1:-}" = "--probe" ]; then
        cc=${2:-clang}
        dir=$(mktemp -d) || exit 1
        printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
                'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
                'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return n && d[0] == 1; }' \
                > "$dir/probe.c"
        $cc -fsanitize=fuzzer,address,undefined -o "$dir/probe" "$dir/probe.c" >/dev/null 2>&1
        r=$?
        rm -rf "$dir"
        exit $r
fi

srcdir=. seconds=60 max_len=131072 real_hosts=
while [ $# -gt 0 ]; do
        case "$1" in
        --srcdir) srcdir=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --max-len) max_len=$2; shift 2 ;;
        --real-hosts) real_hosts=$2; shift 2 ;;
        --) shift; break ;;
        -*) echo "run-fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
        esac
done
[ $# -gt 0 ] || { echo "run-fuzz.sh: no harness" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cmaplan-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

python3 "$srcdir/tests/fuzz/gen-corpus.py" --srcdir "$srcdir" --out "$work/corpus" \
        ${real_hosts:+--real-hosts "$real_hosts"} "$@" || exit 1

failed=0
summary=
for h in "$@"; do
        bin=tests/fuzz/fuzz-$h
        log=tests/fuzz/fuzz-$h.log
        dictopt=
        [ -f "$srcdir/tests/fuzz/$h.dict" ] && dictopt=-dict=$srcdir/tests/fuzz/$h.dict
        seeds=$(ls "$work/corpus/$h" | wc -l)
        rm -f tests/fuzz/artifact-$h-*
        echo "fuzz-$h: ${seconds}s"
        # the harnesses are pure: 10 s for one input or 2 GiB means a bug, not a slow machine;
        # 128 KiB is a 16-node zoneinfo and past the command line's 64 KiB limit, and keeps the
        # 300 KiB real captures from slowing every mutation
        "$bin" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
                -artifact_prefix="tests/fuzz/artifact-$h-" $dictopt \
                "$work/corpus/$h" > "$log" 2>&1
        r=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        corpus=$(ls "$work/corpus/$h" | wc -l)
        if [ $r -ne 0 ]; then
                failed=1
                status="FAIL (exit $r, see $log)"
                echo "--- fuzz-$h found something:"
                grep -E '^(==|SUMMARY|.*broken:|artifact_prefix|Test unit written)' "$log" | head -n 20
                ls tests/fuzz/artifact-$h-* 2>/dev/null
        else
                status=ok
        fi
        summary="$summary$(printf '%-18s %12s executions  %5s seeds -> %5s inputs  %s' "fuzz-$h" "${execs:-?}" "$seeds" "$corpus" "$status")
"
done

echo
echo "libFuzzer, ${seconds}s per harness:"
printf '%s' "$summary"
exit $failed
