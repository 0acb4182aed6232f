#!/bin/bash
# cmaplan apply / recover: on a copy of a fixture tree (plain files), the exit codes, the report,
# the lock held by another process, a journal left behind, an unprivileged user; then, as root, a
# small grow and shrink of the live kernel's 2 MiB pool through the command, restored on exit.
set -euo pipefail
. "${top_srcdir}/tests/cli-common.sh"
live_orig=
live_active=
cleanup() {
        # a live step that failed half-way: the pool back to where this script found it
        if [ -n "$live_active" ] && [ -n "$live_orig" ] && [ "$(cat "$live_nr")" != "$live_orig" ]; then
                $cmaplan apply --wait --node 0 --pages "$live_orig" --size 2M --allow-below-in-use > /dev/null || true
        fi
        [ -n "$holder" ] && kill "$holder" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT

chmod 755 "$tmp"
cp -r "$fixtures/cma-615" "$tmp/root"
chmod -R u+w "$tmp/root"        # distcheck's source tree is read-only
root="$tmp/root"
locks="$tmp/lock"
one_g="$root/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages"
c() { "$cmaplan" --root "$root" --lock-dir "$locks" "$@"; }
# run CMD...: its exit status in R (redirections on the call apply to CMD)
run() { set +e; "$@"; R=$?; set -e; }

"$cmaplan" apply --help | grep -q 'Usage: cmaplan .*apply' && ok || bad "apply --help"
"$cmaplan" recover --help | grep -q 'Usage: cmaplan .*recover' && ok || bad "recover --help"
run c apply --size 1G 2>/dev/null
[ $R = 2 ] && ok || bad "apply without a request is a usage error"

# dry run: the report, nothing written, no journal
run c apply --node 0 --pages 1 --size 1G --dry-run > "$tmp/out"
[ $R = 0 ] && ok || bad "dry run rc"
grep -q '^Dry run' "$tmp/out" && ok || bad "dry run report: $(cat "$tmp/out")"
[ "$(cat "$one_g")" = 2 ] && [ ! -e "$locks/journal" ] && ok || bad "dry run wrote something"

# a shrink of node 0's 1 GiB pool, JSON report
run c --json apply --node 0 --pages 1 --size 1G > "$tmp/apply.json"
[ $R = 0 ] && ok || bad "apply rc"
[ "$(json_get "$tmp/apply.json" 'd["outcome"]')" = done ] && ok || bad "apply outcome"
[ "$(json_get "$tmp/apply.json" 'd["steps"][0]["final_pages"]')" = 1 ] && ok || bad "apply final_pages"
[ "$(cat "$one_g")" = 1 ] && [ ! -e "$locks/journal" ] && ok || bad "apply: file $(cat "$one_g")"
echo 2 > "$one_g"

# infeasible: the plan refuses (owned hugetlb CMA on node 1), exit 3, nothing written
run c apply --node 1 --pages 64 --size 2M 2> "$tmp/err"
[ $R = 3 ] && ok || bad "infeasible rc"
grep -q 'infeasible, nothing was written' "$tmp/err" && ok || bad "infeasible message"

# nothing to recover
run c recover > "$tmp/out"
[ $R = 0 ] && grep -q 'Nothing to recover' "$tmp/out" && ok || bad "recover, none"

# another process holds the lock: exit 4, the holder named
mkdir -p "$locks"
python3 - "$locks/lock" "$tmp/held" <<'PY' &
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
os.ftruncate(fd, 0)
os.write(fd, b"pid %d\ncommand test-holder apply\nsince now\n" % os.getpid())
open(sys.argv[2], "w").close()
time.sleep(30)
PY
holder=$!
for _ in $(seq 100); do [ -e "$tmp/held" ] && break; sleep 0.1; done
run c apply --node 0 --pages 1 --size 1G 2> "$tmp/err"
[ $R = 4 ] && ok || bad "busy rc"
grep -q "held by pid $holder (test-holder apply, since now)" "$tmp/err" && ok || bad "busy message: $(cat "$tmp/err")"
run c recover 2>/dev/null
[ $R = 4 ] && ok || bad "recover while busy"
kill "$holder"; wait "$holder" 2>/dev/null || true

# a journal left by a transition killed half-way: apply refuses, recover restores
cat > "$locks/journal" <<EOF
# cmaplan transition journal
version 1
pid 999999
starttime 1
started_usec 1
boot_id -
root $root
policy rollback
phase applying
flags 0
step_pages 0
max_retries 3
timeout_msec 30000
base_page_bytes 4096
kernel_version 397568
steps 1
step node 0 size 1073741824 original 2 nr 2 surplus 0 target 0 cma 0 reached 2
end
progress 0 1
EOF
echo 1 > "$one_g"
run c apply --node 0 --pages 0 --size 1G 2> "$tmp/err"
[ $R = 4 ] && grep -q "run 'cmaplan recover'" "$tmp/err" \
        && ok || bad "apply with a journal: $(cat "$tmp/err")"
run c recover --dry-run > "$tmp/out"
[ $R = 0 ] && [ "$(cat "$one_g")" = 1 ] && [ -e "$locks/journal" ] \
        && ok || bad "recover --dry-run"
run c recover > "$tmp/out"
[ $R = 0 ] && ok || bad "recover rc: $(cat "$tmp/out")"
grep -q '^Recovered (restored)' "$tmp/out" && grep -q 'pid 999999, policy rollback' "$tmp/out" && ok \
        || bad "recover report: $(cat "$tmp/out")"
[ "$(cat "$one_g")" = 2 ] && [ ! -e "$locks/journal" ] && ok || bad "recover did not restore"

# a journal of another root is not applied here
sed "s|^root .*|root /elsewhere|" > "$locks/journal" <<EOF
version 1
pid 1
root x
policy rollback
phase applying
steps 0
end
EOF
run c recover 2> "$tmp/err"
[ $R = 1 ] && grep -q "cmaplan --root /elsewhere recover" "$tmp/err" && ok \
        || bad "journal of another root: $(cat "$tmp/err")"
rm -f "$locks/journal"

# an unprivileged user: a clear error before anything is touched (uid 65534 must reach the build
# tree: a clone in a private directory, mktemp -d's 0700, keeps it out)
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null && ! nobody test -x "$cmaplan"; then
        echo "unprivileged part skipped: uid 65534 cannot reach $cmaplan (a parent directory is private)"
elif [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
        rm -rf "$locks"
        set +e
        nobody "$cmaplan" --root "$root" --lock-dir "$locks" \
                apply --node 0 --pages 1 --size 1G > /dev/null 2> "$tmp/err"
        r=$?
        set -e
        [ $r = 1 ] && grep -q 'not writable by uid 65534' "$tmp/err" && [ ! -e "$locks" ] && [ "$(cat "$one_g")" = 2 ] \
                && ok || bad "unprivileged: rc $r, $(cat "$tmp/err")"
fi

# The live kernel, as root: 16 more pages on node 0's 2 MiB pool, then back. The whole part holds
# the host's transition lock (/run/cmaplan/lock, which the C live tests and cmaplan apply take) so
# that no other test grows the pool between our grow and our shrink; our own applies use a private
# lock directory under it.
live_nr=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
holder=
hold_host_lock() {
        mkdir -p /run/cmaplan
        python3 -c 'import fcntl, os, sys, time
fd = os.open("/run/cmaplan/lock", os.O_RDWR | os.O_CREAT, 0o644)
fcntl.lockf(fd, fcntl.LOCK_EX)      # a POSIX lock conflicts with the library'"'"'s OFD lock
print("locked", flush=True)
while os.getppid() != 1:
        time.sleep(0.2)' > "$tmp/holder" &
        holder=$!
        for _ in $(seq 1 1200); do
                grep -q locked "$tmp/holder" 2>/dev/null && return 0
                kill -0 "$holder" 2>/dev/null || return 1
                sleep 0.1
        done
        return 1
}
if [ "$(id -u)" = 0 ] && [ -w "$live_nr" ] && hold_host_lock; then
        cmaplan="${top_builddir}/tools/cmaplan --lock-dir $tmp/live-lock"
        live_active=1
        run $cmaplan --json apply --wait --add 32M --nodes 0 --size 2M > "$tmp/grow.json"
        if [ $R = 0 ]; then
                live_orig=$(json_get "$tmp/grow.json" 'd["steps"][0]["before_pages"]')
                target=$(json_get "$tmp/grow.json" 'd["steps"][0]["final_pages"]')
                [ "$target" = $((live_orig + 16)) ] && ok || bad "live grow: $live_orig -> $target"
                run $cmaplan apply --wait --node 0 --shrink "$live_orig" --size 2M > "$tmp/out"
                [ $R = 0 ] && grep -q '^Done' "$tmp/out" && ok || bad "live shrink: $(cat "$tmp/out")"
                echo "live: node 0 2 MiB pool $live_orig -> $target -> $(cat "$live_nr") through cmaplan apply"
                [ "$(cat "$live_nr")" = "$live_orig" ] && ok || bad "live pool not back: $(cat "$live_nr")"

                # a forced rollback on the real kernel: it really gets only 8 more pages per write
                # (LD_PRELOAD shim below cmaplan, tests/preload-short-write.c)
                shim="${top_builddir}/tests/.libs/preload-short-write.so"
                if [ -e "$shim" ]; then
                        cap=$((live_orig + 8))
                        run env LD_PRELOAD="$shim" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
                                CMAPLAN_TEST_CAP_NR_HUGEPAGES=$cap \
                                $cmaplan --json apply --wait --node 0 --pages $((live_orig + 32)) --size 2M \
                                --step 8 --retries 1 > "$tmp/rb.json"
                        [ $R = 3 ] && ok || bad "forced rollback rc $R: $(cat "$tmp/rb.json")"
                        [ "$(json_get "$tmp/rb.json" 'd["outcome"], d["steps"][0]["stop_reason"], d["steps"][0]["reached_pages"], d["steps"][0]["final_pages"], d["compactions"]')" \
                          = "('rolled-back', 'shortfall', $cap, $live_orig, 1)" ] && ok \
                                || bad "forced rollback report: $(cat "$tmp/rb.json")"
                        [ "$(cat "$live_nr")" = "$live_orig" ] && ok || bad "forced rollback left $(cat "$live_nr")"
                        echo "live forced rollback through cmaplan apply: reached $cap of $((live_orig + 32)), back at $(cat "$live_nr")"
                fi
                [ "$(cat "$live_nr")" = "$live_orig" ] && live_active=
        else
                bad "live grow: rc $R $(cat "$tmp/grow.json")"
        fi
        if [ -z "$live_active" ]; then
                kill "$holder" 2>/dev/null
                holder=
        fi
else
        echo "live part skipped (needs root, a writable node 0 pool and the host lock within 2 minutes)"
fi

finish apply-cli
