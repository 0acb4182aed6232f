#!/bin/bash
# The peers on a host tree: numastat, hugeadm, dpdk-hugepages.py and lstopo hard-code /sys and
# /proc, so each runs in a private mount namespace (unshare -m) where the tree's files are bound
# over what the peers read (strace of each on the live host):
#   sys/devices/system/node   numastat -m, dpdk-hugepages.py -s, lstopo (node meminfo, hugepages)
#   sys/kernel/mm/hugepages   hugeadm --pool-list
#   proc/meminfo              all four
# cmaplan --root TREE --json show runs in the same wrapper, so the namespace's cost is in every
# number alike (and is printed on its own: subtracting it would leave noise). Prints a markdown table and what each peer reports,
# checked against cmaplan's JSON of the same tree.
#   peers-tree.sh CMAPLAN TREE NAME RUNS
set -euo pipefail
cmaplan=$1 tree=$(cd "$2" && pwd) name=$3 runs=$4
if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null || ! unshare -m true 2> /dev/null; then
        echo "($name: skipped: needs root and unshare -m for the private mount namespace)"
        exit 0
fi
if ! command -v hyperfine > /dev/null; then
        echo "($name: skipped: hyperfine not installed)"
        exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the wrapper: bind what exists in the tree, then exec the command
cat > "$tmp/ns.sh" <<'SH'
#!/bin/sh
t=$1; shift
for p in sys/devices/system/node sys/kernel/mm/hugepages proc/meminfo; do
        [ -e "$t/$p" ] && mount --bind "$t/$p" "/$p"
done
exec "$@"
SH
chmod +x "$tmp/ns.sh"
ns() { unshare -m --propagation private "$tmp/ns.sh" "$tree" "$@"; }

cmds=("$cmaplan --root $tree --json show")
for c in "numastat -m" "hugeadm --pool-list" "dpdk-hugepages.py -s" "lstopo-no-graphics --of console"; do
        command -v "${c%% *}" > /dev/null && cmds+=("$c")
done
wrapped=("unshare -m --propagation private $tmp/ns.sh $tree true")
for c in "${cmds[@]}"; do
        wrapped+=("unshare -m --propagation private $tmp/ns.sh $tree $c")
done
hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/t.json" "${wrapped[@]}" > /dev/null 2>&1
"$cmaplan" --root "$tree" --json show > "$tmp/cmaplan.json"
for i in "${!cmds[@]}"; do
        [ "$i" = 0 ] && continue
        ns ${cmds[$i]} > "$tmp/out$i" 2>&1 || true
done
python3 - "$tmp" "$name" "${cmds[@]}" <<'PY'
import json, re, sys
tmp, name, cmds = sys.argv[1], sys.argv[2], sys.argv[3:]
res = json.load(open(tmp + "/t.json"))["results"]
ns_ms = res[0]["median"] * 1000
times = [r["median"] * 1000 for r in res[1:]]
snap = json.load(open(tmp + "/cmaplan.json"))
nodes = snap["nodes"]
node_pools = {(n["id"], p["page_size_bytes"]): p["nr_hugepages"] for n in nodes for p in n["pools"]}
glob = {p["page_size_bytes"]: p["nr_hugepages"] for p in snap["pools"]}
n_cma = len(snap.get("cma_areas", snap.get("cma", [])))

def numastat(out):
    row = next((l for l in out.splitlines() if l.startswith("MemFree")), None)
    if not row:
        return "no per-node table: " + out.strip().splitlines()[-1][:80] if out.strip() else "no output"
    vals = [float(v) for v in row.split()[1:-1]]
    ok = len(vals) == len(nodes) and all(abs(v - n["mem_free_kib"] / 1024) < 0.01 for v, n in zip(vals, nodes))
    return ("%d nodes, MemFree %s cmaplan's; HugePages_* from node meminfo only (no per-size pools, "
            "no zones, no CMA)" % (len(vals), "matches" if ok else "differs from"))

def hugeadm(out):
    rows = [l.split() for l in out.splitlines()[1:] if l.split() and l.split()[0].isdigit()]
    got = {int(r[0]): int(r[2]) for r in rows}
    ok = got == glob
    return ("%d page sizes, host-wide counts %s cmaplan's; no nodes, no zones, no CMA"
            % (len(got), "match" if ok else "differ from"))

def dpdk(out):
    rows = [l.split() for l in out.splitlines() if re.match(r"^\d+\s+\d+\s+\d+[KMG]b", l)]
    unit = {"Kb": 1 << 10, "Mb": 1 << 20, "Gb": 1 << 30}
    got = {(int(r[0]), int(r[2][:-2]) * unit[r[2][-2:]]): int(r[1]) for r in rows}
    want = {k: v for k, v in node_pools.items() if v}
    return ("%d non-empty pools per node and size, %s cmaplan's; no free counts, no zones, no CMA"
            % (len(got), "match" if got == want else "differ from"))

def lstopo(out):
    numa = re.findall(r"NUMANode L#\d+ \(P#(\d+) ([\d.]+[KMGT]B)\)", out)
    return ("%d NUMA node(s) of the tree's %d (%s): CPUs and caches come from the live /sys, the tree's "
            "nodes without cpumap are not attached; no pools, no zones, no CMA"
            % (len(numa), len(nodes), ", ".join("P#%s %s" % n for n in numa[:4]) or "none"))

what = {"numastat": numastat, "hugeadm": hugeadm, "dpdk-hugepages.py": dpdk, "lstopo-no-graphics": lstopo}
print("| command (in the namespace) | median ms | × cmaplan | reports |")
print("|---|---|---|---|")
for i, c in enumerate(cmds):
    prog = c.split()[0].split("/")[-1]
    if i == 0:
        rep = "%d nodes, zones, %d page sizes per node, %d CMA areas" % (len(nodes), len(glob), n_cma)
        shown = "cmaplan --root TREE --json show"
    else:
        rep = what[prog](open("%s/out%d" % (tmp, i)).read())
        shown = c
    print("| `%s` | %.2f | %.2f | %s |" % (shown, times[i], times[i] / times[0], rep))
print()
print("(%s: every median includes `unshare -m`, the bind mounts and an exec, %.2f ms with `true` "
      "as the command.)" % (name, ns_ms))
PY
