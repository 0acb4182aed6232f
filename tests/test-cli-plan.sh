#!/bin/bash
# cmaplan plan and cmaplan capacity: help, errors, the seed-000 scenarios (text and JSON), exit codes.
set -euo pipefail
. "${top_srcdir}/tests/cli-common.sh"
# run the command, keep stdout/stderr, return its status in $rc
run() { set +e; "$cmaplan" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e; }
seed="$fixtures/seed-000"
after="$fixtures/seed-000-after"

# help and usage
"$cmaplan" --help | grep -q '^  plan ' && ok || bad "plan in --help"
"$cmaplan" --help | grep -q '^  capacity ' && ok || bad "capacity in --help"
"$cmaplan" plan --help | grep -q 'Usage: cmaplan .*plan' && ok || bad "plan --help"
"$cmaplan" capacity --help | grep -q 'Usage: cmaplan .*capacity' && ok || bad "capacity --help"
run --root "$seed" plan
[ $rc -eq 2 ] && grep -q 'exactly one request' "$tmp/err" && ok || bad "plan without a request (rc $rc)"
run --root "$seed" plan --max-no-cma
[ $rc -eq 2 ] && grep -q 'needs --node' "$tmp/err" && ok || bad "--max-no-cma without --node (rc $rc)"
run --root "$seed" plan --node 1 --pages x12
[ $rc -eq 2 ] && ok || bad "bad --pages (rc $rc)"
run --root "$seed" plan --node 99 --pages 1
[ $rc -eq 1 ] && grep -q 'node 99' "$tmp/err" && ok || bad "unknown node (rc $rc, $(cat "$tmp/err"))"
run --root "$seed" plan --node 1 --pages 1 --size 3M
[ $rc -eq 1 ] && ok || bad "unknown page size (rc $rc)"
run --root "$seed" capacity --node 99
[ $rc -eq 1 ] && ok || bad "capacity of an unknown node (rc $rc)"

# the seed's write: refused by the owned-CMA guard (exit 3), with the reason and the prediction
run --root "$seed" plan --node 1 --pages 41566
[ $rc -eq 3 ] && ok || bad "seed write not refused (rc $rc)"
grep -q '^Infeasible: node 1: .*owned by csv areas' "$tmp/out" && ok || bad "seed write: no reason: $(head -3 "$tmp/out")"
grep -q '0 → 41566 × 2 MiB (81.2 GiB): 21498 from CMA (42.0 GiB, csv), 20068 outside' "$tmp/out" \
        && ok || bad "seed write: no unguarded prediction"
grep -q '\[W150 PLAN_OWNED_CMA\]' "$tmp/out" && ok || bad "seed write: no guard warning"

# allowed: the line of the issue, exit 0, warnings with codes
run --root "$seed" plan --node 1 --pages 41566 --allow-owned-cma
[ $rc -eq 0 ] && ok || bad "allowed seed write (rc $rc)"
grep -qx 'node 1: 0 → 41566 × 2 MiB (81.2 GiB): 21498 from CMA (42.0 GiB, csv), 20068 outside; free CMA 64.0 → 22.0 GiB; pinnable 0 → 20068 pages (39.2 GiB)' \
        "$tmp/out" && ok || bad "seed line: $(head -1 "$tmp/out")"
grep -q '\[W1 TAKES_CMA\] 21498 of the 41566' "$tmp/out" && ok || bad "TAKES_CMA warning"
run --root "$seed" plan --node 1 --pages 41566 --cma-budget 42G
[ $rc -eq 0 ] && ok || bad "a 42 GiB budget is enough (rc $rc)"
run --root "$seed" plan --node 1 --pages 41566 --cma-budget 41G
[ $rc -eq 3 ] && ok || bad "a 41 GiB budget is not (rc $rc)"

# JSON: the same numbers
run --root "$seed" --json plan --node 1 --pages 41566 --allow-owned-cma
cp "$tmp/out" "$tmp/plan.json"
[ $rc -eq 0 ] && [ "$(json_get "$tmp/plan.json" 'd["schema"]')" = cmaplan-plan ] && ok || bad "plan json schema"
[ "$(json_get "$tmp/plan.json" 'd["steps"][0]["from_cma_pages"]')" = 21498 ] && ok || bad "json from_cma_pages"
[ "$(json_get "$tmp/plan.json" 'd["steps"][0]["free_cma_after_pages"]')" = 5767475 ] && ok || bad "json free_cma_after"
[ "$(json_get "$tmp/plan.json" 'd["steps"][0]["cma_kinds"]')" = "['csv']" ] && ok || bad "json cma_kinds"
[ "$(json_get "$tmp/plan.json" '[w["name"] for w in d["warnings"] if w["code"]==1][0]')" = TAKES_CMA ] \
        && ok || bad "json warning names"
[ "$(json_get "$tmp/plan.json" '[z["from_cma_pages"] for z in d["steps"][0]["zones"] if z["name"]=="Normal"][0]')" = 21498 ] \
        && ok || bad "json zones"
# infeasible in JSON: exit 3, met false, the reason
run --root "$seed" --json plan --node 1 --pages 41566
[ $rc -eq 3 ] && [ "$(json_get "$tmp/out" 'd["met"]')" = False ] \
        && json_get "$tmp/out" 'd["reason"]' | grep -q 'owned by csv' && ok || bad "infeasible json (rc $rc)"

# capacity: the seed's boundary on the after tree (39 GiB pins, 40 GiB does not)
run --root "$after" capacity --node 1
[ $rc -eq 0 ] && grep -q '^node 1, 2 MiB pages: 20063 pinnable (39.2 GiB), bound by pool' "$tmp/out" \
        && ok || bad "capacity text: $(head -2 "$tmp/out")"
grep -q 'W155 PLAN_POOL_ESTIMATED' "$tmp/out" && ok || bad "capacity: estimate not said"
run --root "$after" --json capacity
[ $rc -eq 0 ] && [ "$(json_get "$tmp/out" '[n["pinnable_pages"] for n in d["nodes"] if n["node"]==1][0]')" = 20063 ] \
        && ok || bad "capacity json"
[ "$(json_get "$tmp/out" 'len(d["nodes"])')" = 8 ] && ok || bad "capacity json: every node"
run --root "$after" capacity --node 1 --memlock 38G
grep -q 'bound by memlock' "$tmp/out" && ok || bad "capacity --memlock"
run --root "$after" plan --pin-guest 39G --node 1
[ $rc -eq 0 ] && grep -q 'guest 39 GiB on node 1: pins' "$tmp/out" && ok || bad "39 GiB guest (rc $rc)"
run --root "$after" plan --pin-guest 40G --node 1
[ $rc -eq 3 ] && ok || bad "40 GiB guest needs owned CMA (rc $rc)"
run --root "$after" plan --pin-guest 40G --node 1 --allow-owned-cma
[ $rc -eq 0 ] && grep -q '41566 → 42400 × 2 MiB' "$tmp/out" && grep -q 'guest 40 GiB on node 1: pins' "$tmp/out" \
        && ok || bad "40 GiB guest with owned CMA: $(cat "$tmp/out" | head -2)"

# the other requests
run --root "$seed" plan --max-no-cma --node 1
[ $rc -eq 0 ] && grep -q 'W159 PLAN_FIRST_PAGE_CMA' "$tmp/out" && ok || bad "--max-no-cma on the seed"
run --root "$seed" plan --add 80G --nodes 0,1 --allow-owned-cma
[ $rc -eq 0 ] && [ "$(grep -c '0 → 20480 × 2 MiB' "$tmp/out")" = 2 ] && ok || bad "--add spread: $(cat "$tmp/out" | head -2)"
run --root "$seed" plan --add 80G --nodes 0-1 --fill --allow-owned-cma
[ $rc -eq 0 ] && grep -q '^node 0: 0 → 40960' "$tmp/out" && grep -q '^node 1: 0 × 2 MiB (0 B) unchanged' "$tmp/out" \
        && ok || bad "--add --fill"
run --root "$after" plan --shrink 0 --node 1
[ $rc -eq 0 ] && grep -q '41566 → 0 × 2 MiB (0 B): 41566 freed' "$tmp/out" && ok || bad "--shrink"
run --root "$fixtures/pools-1g-2m" plan --shrink 0 --node 0
[ $rc -eq 3 ] && grep -q 'in use' "$tmp/out" && ok || bad "shrink below in use refused (rc $rc)"
run --root "$fixtures/pools-1g-2m" plan --shrink 0 --node 0 --allow-below-in-use
[ $rc -eq 0 ] && grep -q 'become surplus' "$tmp/out" && ok || bad "--allow-below-in-use (rc $rc)"
run --root "$fixtures/cma-615" plan --node 1 --pages 3 --size 1G
[ $rc -eq 0 ] && grep -q '3 from CMA (3 GiB, hugetlb)' "$tmp/out" && grep -q 'HVO saves' "$tmp/out" \
        && ok || bad "1 GiB from hugetlb_cma: $(head -1 "$tmp/out")"
run --root "$fixtures/live-capture" plan --node 0 --pages 100000000 --allow-shortfall
[ $rc -eq 0 ] && grep -q 'Short of the request (allowed)' "$tmp/out" && ok || bad "--allow-shortfall (rc $rc)"

# the live host, read only
"$cmaplan" capacity > /dev/null && ok || bad "live capacity"
"$cmaplan" plan --max-no-cma --node 0 > /dev/null && ok || bad "live plan"

finish cli-plan
