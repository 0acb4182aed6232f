#!/bin/bash
# Run every benchmark and write bench/RESULTS.md (and bench/scaling.png): medians of repeated runs,
# ratios measured in the same run. Never part of the tests. Root is needed for the live parts
# (pagetypeinfo, transitions); they are left out otherwise, and the file says so.
#   run-bench.sh [--srcdir DIR] [--builddir DIR] [--quick]     (BENCH_QUICK=1 = --quick)
set -euo pipefail
srcdir=. builddir=. quick=${BENCH_QUICK:-0}
while [ $# -gt 0 ]; do
        case "$1" in
        --srcdir) srcdir=$2; shift 2 ;;
        --builddir) builddir=$2; shift 2 ;;
        --quick) quick=1; shift ;;
        *) echo "usage: $0 [--srcdir DIR] [--builddir DIR] [--quick]" >&2; exit 2 ;;
        esac
done
b=$builddir/bench
cmaplan=$builddir/tools/cmaplan
# time the program, not libtool's wrapper script around an uninstalled one
if [ -x "$builddir/tools/.libs/cmaplan" ]; then
        cmaplan=$builddir/tools/.libs/cmaplan
        export LD_LIBRARY_PATH=$builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$srcdir/bench/RESULTS.md
[ "$quick" = 1 ] && out=$tmp/RESULTS.md
runs() { if [ "$quick" = 1 ]; then echo "$1"; else echo "$2"; fi; }
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }

echo "generating synthetic hosts" >&2
for n in 8 64 1024; do
        cpus=$([ $n -eq 8 ] && echo 256 || ([ $n -eq 64 ] && echo 512 || echo 64))
        python3 "$srcdir/bench/gen-host.py" "$tmp/h$n" $n $cpus
done

{
echo "# Benchmark results"
echo
echo "Written by \`make bench\` (bench/run-bench.sh) on $(date -u +%Y-%m-%d): $(uname -r), $(nproc) cores,"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB."
echo "Medians of repeated runs; ratios are of numbers measured in the same run. Synthetic hosts come"
echo "from bench/gen-host.py (NODES, CPUS): 8 nodes/256 CPUs, 64/512, 1024/64; their zoneinfo carries a"
echo "pageset per CPU per populated zone, as the kernel prints it."
echo
echo "## Snapshot vs the raw cost of its reads (in process)"
echo
echo "\`bench/bench-snapshot --root R\`: cmaplan_snapshot_new()+unref against open+read+close of exactly"
echo "the files a capture of R holds. Goal ≤ 1.3×."
echo
echo "| host | files | bytes | snapshot µs | raw reads µs | ratio |"
echo "|---|---|---|---|---|---|"
for r in / "$srcdir/tests/fixtures/seed-000" "$tmp/h8" "$tmp/h64" "$tmp/h1024"; do
        n=$(runs 5 $([ "$r" = / ] && echo 201 || echo 51))
        j=$("$b/bench-snapshot" --root "$r" --runs "$n" --json)
        name=$r; case "$r" in /) name="live (/)" ;; */seed-000) name="seed-000 fixture (8 nodes, 512 CMA areas)" ;;
                */h8) name="synthetic 8 nodes" ;; */h64) name="synthetic 64 nodes" ;; */h1024) name="synthetic 1024 nodes" ;; esac
        echo "$j" | json '"| %s | %d | %d | %.0f | %.0f | %.2f |" % ("'"$name"'", d["files"], d["bytes"], d["snapshot_median_us"], d["raw_read_median_us"], d["ratio"])'
done
echo
echo "## Parsers (in memory)"
echo
echo '```'
"$b/bench-parse" "$tmp/h8" "$(runs 5 51)"
echo '```'
echo "(\`bench/bench-parse\` on the synthetic 8-node, 256-CPU host. Goal for zoneinfo ≥ 1 GB/s.)"
echo
echo "## Scaling: snapshot and plan from 1 to 1024 nodes"
echo
echo "| nodes | zoneinfo bytes | snapshot µs | plan (--add, every node) ms, whole process | max RSS KiB |"
echo "|---|---|---|---|---|"
: > "$tmp/scaling.dat"
for n in 1 2 4 8 16 32 64 128 256 512 1024; do
        [ "$quick" = 1 ] && [ $n -gt 8 ] && break
        python3 "$srcdir/bench/gen-host.py" "$tmp/s$n" $n 64
        snap=$("$b/bench-snapshot" --root "$tmp/s$n" --runs "$(runs 3 21)" --json | json 'd["snapshot_median_us"]')
        ts=()
        for i in $(seq "$(runs 1 7)"); do
                s0=$(date +%s%N)
                "$cmaplan" --root "$tmp/s$n" plan --add "$((n * 16))G" --allow-owned-cma > /dev/null || true
                ts+=($(( ($(date +%s%N) - s0) / 1000 )))
        done
        plan=$(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1000}')
        rss=$( { /usr/bin/time -f %M "$cmaplan" --root "$tmp/s$n" plan --add "$((n * 16))G" --allow-owned-cma > /dev/null; } 2>&1 | tail -1)
        echo "| $n | $(stat -c %s "$tmp/s$n/proc/zoneinfo") | ${snap%.*} | $plan | $rss |"
        echo "$n $snap $plan" >> "$tmp/scaling.dat"
        rm -rf "$tmp/s$n"
done
if command -v gnuplot > /dev/null && [ "$quick" != 1 ]; then
        gnuplot <<GP
set terminal png size 800,500
set output "$srcdir/bench/scaling.png"
set title "libcmaplan: snapshot and plan time vs nodes (64 CPUs, 3 zones per node)"
set xlabel "nodes"; set ylabel "ms"; set key left top; set grid
plot "$tmp/scaling.dat" using 1:(\$2/1000) with linespoints title "snapshot (in process)", \
     "$tmp/scaling.dat" using 1:3 with linespoints title "cmaplan plan (whole process)"
GP
        echo
        echo "![scaling](scaling.png) — linear in nodes: see the table."
fi
echo
echo "## Against the peers (whole process, live host, same run)"
echo
if command -v hyperfine > /dev/null; then
        cmds=("$cmaplan --json show")
        for c in "numastat -m" "hugeadm --pool-list" "dpdk-hugepages.py -s" "lstopo-no-graphics"; do
                command -v "${c%% *}" > /dev/null && cmds+=("$c")
        done
        hyperfine -N --warmup 3 --runs "$(runs 3 30)" --export-json "$tmp/peers.json" "${cmds[@]}" > /dev/null 2>&1 || true
        echo "cmaplan reads proc/pagetypeinfo as root, which the kernel fills by walking every free list"
        echo "under the zone lock: most of its time on this host (see the snapshot table: the raw reads cost"
        echo "the same)."
        echo
        echo "| command | median ms | × cmaplan | reports |"
        echo "|---|---|---|---|"
        python3 - "$tmp/peers.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"]
what = {"cmaplan": "nodes, zones (free, CMA, watermarks, 2 MiB blocks), CMA areas, pools per node and size, cmdline, HVO",
        "numastat": "per-node meminfo sums (no zones, no CMA areas, no per-size pools)",
        "hugeadm": "global pool counts per size (no nodes, no CMA)",
        "dpdk-hugepages.py": "pools per node and size (no CMA, no zones)",
        "lstopo-no-graphics": "topology with per-node memory and page counts (no CMA, no zones)"}
for x in r:
    cmd = x["command"].split()[0].split("/")[-1]
    shown = "cmaplan --json show" if cmd == "cmaplan" else x["command"]
    print("| `%s` | %.2f | %.2f | %s |" % (shown, x["median"] * 1000, x["median"] / base, what.get(cmd, "")))
PY
else
        echo "(hyperfine not installed: skipped)"
fi
echo
echo "## Transitions (live kernel, root)"
echo
if [ "$(id -u)" = 0 ] && [ "$quick" != 1 ]; then
        echo '```'
        "$b/bench-transition" --runs 9 --pages 512 --tmpfs-too 2>&1 || echo "(bench-transition failed)"
        echo '```'
else
        echo "(skipped: needs root and a full run)"
fi
echo
echo "## Not measured yet"
echo
echo "- A refresh API that re-reads only the changing numbers with files kept open (pread): not built;"
echo "  \`cmaplan_snapshot_validate()\` (a cheaper re-read of markers) is the closest today."
echo "- Peers on fixture trees inside a private mount namespace."
} > "$out"
[ "$quick" = 1 ] && { cat "$out" >&2; echo "bench smoke run: ok" >&2; } || echo "wrote $out" >&2
