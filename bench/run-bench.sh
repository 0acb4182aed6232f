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
echo "Written by \`make bench\` (bench/run-bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'): $(uname -r), $(nproc) cores,"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB; at the start"
echo "$(uptime | sed 's/.*load average/load average/') (other virtual machines share this host: expect noise,"
echo "and compare only numbers measured in the same run)."
echo "Medians of repeated runs; ratios are of numbers measured in the same run. Synthetic hosts come"
echo "from bench/gen-host.py (NODES, CPUS): 8 nodes/256 CPUs, 64/512, 1024/64; their zoneinfo carries a"
echo "pageset per CPU per populated zone, as the kernel prints it."
echo
echo "## Snapshot vs the raw cost of its reads (in process)"
echo
echo "\`bench/bench-snapshot --root R\`: cmaplan_snapshot_new()+unref against the same kernel work without"
echo "the library, interleaved in one process. The raw pass replays what one snapshot did, learned from"
echo "the reader's record hook: open+read to EOF+close of every file it read, open+getdents to the"
echo "end+close of every directory it listed (how it discovers nodes, page sizes, CMA areas and memory"
echo "blocks), open(O_PATH)+close of every existence check and of every probe that found nothing (a"
echo "missing file is a fact the snapshot reports). The raw pass uses plain openat() from the root; the"
echo "library uses openat2(RESOLVE_IN_ROOT), and an fstat() of each file whose first read (4095 bytes)"
echo "gives nothing or fills the buffer: then it refuses FIFOs, directories and devices, and sizes big"
echo "files; every read is bounded. Goal ≤ 1.3×. The last two columns time the raw pass again with"
echo "those safety syscalls (openat2 RESOLVE_IN_ROOT instead of openat, the same first read and fstat):"
echo "what remains between it and the snapshot is the library's own work in user space."
echo
echo "| host | files | dirs listed | checks + probes | bytes | snapshot µs | raw µs | ratio | raw + safety µs | ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|"
: > "$tmp/snap.jsonl"
for r in / "$srcdir/tests/fixtures/seed-000" "$tmp/h8" "$tmp/h64" "$tmp/h1024"; do
        n=$(runs 5 $([ "$r" = / ] && echo 201 || ([ "$r" = "$tmp/h1024" ] && echo 21 || echo 51)))
        j=$("$b/bench-snapshot" --root "$r" --runs "$n" --json)
        name=$r; case "$r" in /) name="live (/)" ;; */seed-000) name="seed-000 fixture (8 nodes, 512 CMA areas)" ;;
                */h8) name="synthetic 8 nodes" ;; */h64) name="synthetic 64 nodes" ;; */h1024) name="synthetic 1024 nodes" ;; esac
        echo "$j" | python3 -c 'import json,sys; d=json.load(sys.stdin); d["name"]=sys.argv[1]; print(json.dumps(d))' "$name" >> "$tmp/snap.jsonl"
        echo "$j" | json '"| %s | %d | %d | %d | %d | %.0f | %.0f | %.2f | %.0f | %.2f |" % ("'"$name"'", d["files"], d["dirs"], d["exists"] + d["missing"], d["bytes"], d["snapshot_median_us"], d["raw_read_median_us"], d["ratio"], d["raw_safe_median_us"], d["ratio_safe"])'
done
echo
echo "Load while this ran (uptime): $(uptime | sed 's/.*load average/load average/')."
echo
echo "What the raw pass costs depends on who makes the bytes. The same read loop (open, read to EOF"
echo "into a 1 MiB buffer, close; median of 201) on a file the kernel prints and on a synthetic copy in"
echo "the page cache:"
echo
echo '```'
python3 - "$tmp/h64/proc/zoneinfo" <<'PY'
import os, sys, time
buf = bytearray(1 << 20)
for path in ["/proc/zoneinfo", sys.argv[1]]:
    ts, size = [], 0
    for _ in range(201):
        t0 = time.perf_counter()
        fd = os.open(path, os.O_RDONLY)
        size = 0
        while True:
            n = os.readv(fd, [buf])
            if not n:
                break
            size += n
        os.close(fd)
        ts.append(time.perf_counter() - t0)
    m = sorted(ts)[100]
    print("%-40s %9d bytes  median %8.1f us  %8.0f MB/s" % (path.replace(sys.argv[1], "synthetic 64-node proc/zoneinfo"),
                                                             size, m * 1e6, size / m / 1e6))
PY
echo '```'
echo
echo "The kernel prints zoneinfo at tens of MB/s; the parser (below) reads it at GB/s, a few per cent"
echo "on a real host. A synthetic tree is read at memory speed, so there the ratio measures the parsers"
echo "and the per-file bookkeeping against memcpy, not against the kernel."
echo
echo "## Refresh vs a full snapshot (in process)"
echo
echo "Same runs: cmaplan_refresh_update()+unref of the snapshot's refresh (pools, meminfo, node meminfo,"
echo "buddyinfo, zoneinfo, CMA counters; files kept open, pread) and the same without proc/zoneinfo"
echo "(CMAPLAN_REFRESH_NO_ZONEINFO). At most a quarter of the soft RLIMIT_NOFILE stays open (here"
echo "$(( $(ulimit -n) / 4 )) of $(ulimit -n), per refresh; two refreshes are open at once); the other files are opened and closed"
echo "by each update."
echo
echo "| host | files re-read (kept open) | snapshot µs | refresh µs | × snapshot | without zoneinfo µs | × snapshot |"
echo "|---|---|---|---|---|---|---|"
python3 - "$tmp/snap.jsonl" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    s = d["snapshot_median_us"]
    print("| %s | %d (%d) | %.0f | %.0f | %.3f | %.0f | %.3f |" % (d["name"], d["refresh_files"], d["refresh_open"], s,
          d["refresh_median_us"], d["refresh_median_us"] / s, d["refresh_no_zoneinfo_median_us"],
          d["refresh_no_zoneinfo_median_us"] / s))
PY
echo
echo "## Parsers (in memory)"
echo
echo '```'
"$b/bench-parse" "$tmp/h8" "$(runs 5 51)"
echo '```'
echo "(\`bench/bench-parse\` on the synthetic 8-node, 256-CPU host. Goal for zoneinfo ≥ 1 GB/s.)"
echo
echo "## Planner and memory (in process)"
echo
echo "\`bench/bench-plan --root R --runs N --json\`: one snapshot (timed; the heap it holds, from"
echo "mallinfo2() before and after), then for every huge page size of the host cmaplan_plan_new() of"
echo "\"add 16 GiB per node over every node\" (owned CMA allowed, shortfall allowed), timed, and the heap"
echo "the plan holds. The 1024-node host has three page sizes (2 MiB, 32 MiB, 1 GiB: gen-host.py's"
echo "SIZES), 64 CPUs."
echo
echo "| host | nodes | snapshot µs | snapshot heap KiB (per node) | page size | plan µs | plan heap KiB |"
echo "|---|---|---|---|---|---|---|"
python3 "$srcdir/bench/gen-host.py" "$tmp/p1024" 1024 64 2048,32768,1048576
for r in / "$tmp/h8" "$tmp/p1024"; do
        name=$r; case "$r" in /) name="live (/)" ;; */h8) name="synthetic 8 nodes" ;; */p1024) name="synthetic 1024 nodes, 3 sizes" ;; esac
        "$b/bench-plan" --root "$r" --runs "$(runs 3 $([ "$r" = "$tmp/p1024" ] && echo 7 || echo 21))" --json |
                python3 -c 'import json,sys
d = json.load(sys.stdin)
for i, p in enumerate(d["plans"]):
    size = "%d MiB" % (p["page_size_kb"] // 1024) if p["page_size_kb"] < 1048576 else "%d GiB" % (p["page_size_kb"] // 1048576)
    head = ("| %s | %d | %.0f | %.0f (%.1f) " % (sys.argv[1], d["nodes"], d["snapshot_median_us"], d["snapshot_heap_bytes"] / 1024,
            d["snapshot_heap_bytes"] / 1024 / max(d["nodes"], 1))) if i == 0 else "| | | | "
    print(head + "| %s | %.0f | %.1f |" % (size, p["median_us"], p["heap_bytes"] / 1024))' "$name"
done
rm -rf "$tmp/p1024"
echo
echo "A snapshot holds each node's zones (with free blocks per order and migrate type), its row of"
echo "the distance matrix (so the per-node share grows with the node count) and, on the live host,"
echo "its memory blocks."
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
echo "## Against the peers on host trees (private mount namespace)"
echo
echo "bench/peers-tree.sh: each peer runs under \`unshare -m\` with the tree's sys/devices/system/node,"
echo "sys/kernel/mm/hugepages and proc/meminfo bound over the live ones (what the peers read, from"
echo "strace); cmaplan runs in the same wrapper with --root. What each peer reports is checked against"
echo "cmaplan's JSON of the same tree. The synthetic tree's node 1 gets 16 x 2 MiB pages first, so that"
echo "per-node pools are not all empty."
echo
echo 16 > "$tmp/h8/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages"
for t in "$srcdir/tests/fixtures/seed-000" "$tmp/h8"; do
        case "$t" in */seed-000) name="seed-000 fixture (8 nodes, 512 CMA areas)" ;; *) name="synthetic 8 nodes" ;; esac
        echo "### $name"
        echo
        bash "$srcdir/bench/peers-tree.sh" "$cmaplan" "$t" "$name" "$(runs 3 20)" || echo "(peers-tree.sh failed)"
        echo
done
echo
echo "## Transitions (live kernel, root)"
echo
if [ "$(id -u)" = 0 ] && [ "$quick" != 1 ]; then
        echo "\`bench/bench-transition --pages N [--step N] --tmpfs-too --runs 15 --json\`: cmaplan_plan_apply() of"
        echo "\"node 0: +N x 2 MiB\" against one raw write of the same target, alternated, the pool written back"
        echo "(untimed) after each; the lock directory (journal) on ext4 (as /run is on this VM) and on tmpfs"
        echo "(/run on most systems). Both are timed right after a snapshot and a plan of the host (untimed"
        echo "for the raw write), so that they start from the same caches. Guarded steps are 128 pages by"
        echo "default; one shot is --step N. Overhead = transition - raw (medians); the goal is <= 5 % of raw."
        echo
        : > "$tmp/tr.jsonl"
        for pages in 64 512 2048; do
                for step in 0 $pages; do
                        "$b/bench-transition" --runs 15 --pages $pages --step $step --tmpfs-too --json >> "$tmp/tr.jsonl" ||
                                echo "(bench-transition --pages $pages --step $step failed)"
                done
        done
        echo "Pool after the runs: $(cat /proc/sys/vm/nr_hugepages) pages host-wide (restored after each run);"
        echo "$(uptime | sed 's/.*load average/load average/')."
        echo
        python3 - "$tmp/tr.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| pages (x 2 MiB) | steps | raw µs | transition µs, ext4 | overhead µs (%) | transition µs, tmpfs | overhead µs (%) |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    steps = "one shot" if r["step"] == r["pages"] else "guarded, 128 per step"
    raw, ext, shm = r["raw_median_us"], r["transition_median_us"], r["tmpfs_median_us"]
    print("| %d | %s | %.0f | %.0f | %.0f (%.0f %%) | %.0f | %.0f (%.0f %%) |" % (
        r["pages"], steps, raw, ext, ext - raw, 100 * (ext - raw) / raw, shm, shm - raw, 100 * (shm - raw) / raw))
one = [r for r in rows if r["step"] == r["pages"]]
big = max(rows, key=lambda r: r["pages"])
per_page = big["raw_median_us"] / big["pages"]
if one:
    fixed_ext = sorted(r["transition_median_us"] - r["raw_median_us"] for r in one)[len(one) // 2]
    fixed_shm = sorted(r["tmpfs_median_us"] - r["raw_median_us"] for r in one)[len(one) // 2]
    print()
    print("Fixed overhead of a one-shot transition (median over the sizes): %.0f µs with the journal on ext4, "
          "%.0f µs on tmpfs. The raw write costs %.2f µs per 2 MiB page here (%d pages), so the 5 %% goal "
          "holds from about %.0f pages (%.1f GiB) with the journal on ext4 and %.0f pages (%.1f GiB) on tmpfs."
          % (fixed_ext, fixed_shm, per_page, big["pages"], fixed_ext / (0.05 * per_page),
             fixed_ext / (0.05 * per_page) / 512, fixed_shm / (0.05 * per_page), fixed_shm / (0.05 * per_page) / 512))
    g = {r["pages"]: r for r in rows if r["step"] == 0}
    o = {r["pages"]: r for r in one}
    print("Steps and guards (per 128-page step: a write of its own; the zones' free pages re-read, from"
          " proc/buddyinfo here since node 0 has several populated zones and no CMA;"
          " the model; a read-back) cost, on tmpfs: " +
          ", ".join("%.0f µs at %d pages" % (g[p]["tmpfs_median_us"] - o[p]["tmpfs_median_us"], p)
                    for p in sorted(g) if p in o) + ".")
    small = min(one, key=lambda r: r["pages"])
    if small.get("events"):
        print()
        print("Where the time of the %d-page one-shot apply goes (tmpfs; medians of each event of the kernel"
              " writer's wrapper and of the transition's named points, since the start of the apply):" % small["pages"])
        print()
        print("| µs since the start | µs since the event before | event |")
        print("|---|---|---|")
        for e in small["events"]:
            print("| %.0f | %.0f | %s |" % (e["at_us"], e["delta_us"], e["event"]))
        print()
        print("The write step holds the raw write (%.0f µs in the same runs) and the guard's model; the"
              " rest is the lock, the stale check, the journal, the guard's read of the free pages and"
              " the read-backs." % small["raw_median_us"])
PY
else
        echo "(skipped: needs root and a full run)"
fi
echo
echo "## The goals in this run"
echo
python3 - "$tmp/snap.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
met = [r for r in rows if r["ratio"] <= 1.3]
over = [r for r in rows if r["ratio"] > 1.3]
fmt = lambda rs: ", ".join("%s %.2f×" % (r["name"], r["ratio"]) for r in rs)
if met:
    print("- Snapshot ≤ 1.3× its raw reads, reached in this run: %s." % fmt(met))
if over:
    print("- Snapshot ≤ 1.3× its raw reads, not reached in this run: %s (with the safety syscalls counted"
          " as kernel work: %s). The synthetic trees' bytes are mostly zoneinfo pagesets (0.4, 5.9 and 12.9 MB)"
          " read from the page cache at memory speed, so their ratio measures the parsers and the per-file"
          " bookkeeping against memcpy; on a real host the kernel prints the same file at tens of MB/s (above)."
          " The reader keeps openat2(RESOLVE_IN_ROOT): a tree is untrusted input, and no link may lead out of it."
          % (fmt(over), ", ".join("%s %.2f×" % (r["name"], r["ratio_safe"]) for r in over)))
print("- The ratios move by several hundredths between runs on this shared machine: read them as ±0.05.")
PY
echo "- Transition ≤ 5 % over one raw write: the fixed cost is a few hundred microseconds (the"
echo "  breakdown above), with the journal on tmpfs or on ext4 alike now that it is not synced, so"
echo "  the goal holds from the size printed above. Below it, the safety reads alone (the stale"
echo "  check and a read-back of the pool, two sysfs files each; the lock; the journal; the guard's"
echo "  read of the free pages) exceed 5 % of a small write."
echo "- lstopo on a tree: hwloc takes CPUs and caches from the live /sys and cannot attach the tree's"
echo "  nodes (no cpumap in a capture), so it reports one node; it can read a whole hwloc capture"
echo "  (HWLOC_FSROOT), which is not what these trees hold."
} > "$out"
[ "$quick" = 1 ] && { cat "$out" >&2; echo "bench smoke run: ok" >&2; } || echo "wrote $out" >&2
