#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lab.sh - the kernel lab: boot real kernels with NUMA nodes, CMA and hugetlb under qemu (TCG)
# and compare what libcmaplan predicts with what the kernel does. See tests/lab/README.md.
#
#   lab.sh [run]        everything: packages, kernels (cached), initramfs, all scenarios, summary
#   lab.sh setup        install missing Debian packages only
#   lab.sh kernels      build (or find cached) lab kernels only
#   lab.sh initramfs    build the static lab binary and the initramfs only
#   lab.sh list         list the scenarios
#
# Environment:
#   LAB_CACHE      cache for kernel sources, kernels and run results
#                  (default ${XDG_CACHE_HOME:-$HOME/.cache}/cmaplan-lab; never inside the repo)
#   LAB_KERNELS    kernel series to use (default "6.1 6.12"; Debian package linux-source-<series>)
#   LAB_SCENARIOS  scenario names to run (default: every tests/lab/scenarios/*.sh)
#   LAB_JOBS       make -j for kernel builds (default: nproc)
#   LAB_TIMEOUT    seconds per boot (default 300)
#   LAB_BUILDDIR   configured build dir, for config.h (default: the source dir if it has one)
#   LAB_APPLY      how the guest changes pools: "direct" (default; see cmaplan-lab.c, apply hook)
#   LAB_NO_INSTALL=1   never call apt-get (fail instead when something is missing)
# Exit status: 0 when every check of every scenario passed (XFAIL allowed), 1 otherwise.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$LAB_DIR/../.." && pwd)
LAB_CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cmaplan-lab}
LAB_KERNELS=${LAB_KERNELS:-"6.1 6.12"}
LAB_JOBS=${LAB_JOBS:-$(nproc)}
LAB_TIMEOUT=${LAB_TIMEOUT:-300}
LAB_BUILDDIR=${LAB_BUILDDIR:-}
LAB_APPLY=${LAB_APPLY:-direct}
MODE=${1:-run}

T0=$(date +%s)
log() { printf '[lab %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "$LAB_CACHE" in
"$SRCDIR"|"$SRCDIR"/*) die "LAB_CACHE ($LAB_CACHE) must be outside the source tree" ;;
esac
mkdir -p "$LAB_CACHE"/{src,kernels,runs}

# ---------------------------------------------------------------------------------- packages
PKGS=(qemu-system-x86 busybox-static cpio build-essential bc bison flex libelf-dev libssl-dev
      xz-utils libudev-dev libnuma-dev)
setup_packages() {
        local missing=() p s
        for s in $LAB_KERNELS; do PKGS+=("linux-source-$s"); done
        for p in "${PKGS[@]}"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
                        missing+=("$p")
        done
        [ ${#missing[@]} -eq 0 ] && return 0
        [ "${LAB_NO_INSTALL:-0}" = 1 ] && die "missing packages: ${missing[*]}"
        local sudo=
        if [ "$(id -u)" != 0 ]; then
                command -v sudo >/dev/null || die "missing packages (${missing[*]}) and not root"
                sudo="sudo -n"
        fi
        log "apt-get install ${missing[*]}"
        local t=$(date +%s)
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${missing[@]}" >/dev/null
        log "packages installed in $(( $(date +%s) - t )) s"
}

# ----------------------------------------------------------------------------------- kernels
# Cache key: Debian source package version + hash of the config fragments + compiler version.
kernel_fragments() { # series -> the fragment files that apply
        echo "$LAB_DIR/kernel.config"
        [ -f "$LAB_DIR/kernel-$1.config" ] && echo "$LAB_DIR/kernel-$1.config"
        return 0
}
kernel_key() {
        local s=$1 ver hash
        ver=$(dpkg-query -W -f='${Version}' "linux-source-$s" 2>/dev/null) ||
                die "linux-source-$s is not installed"
        # shellcheck disable=SC2046
        hash=$( (cat $(kernel_fragments "$s"); gcc -dumpfullversion) | sha256sum | cut -c1-12)
        echo "$s-$ver-$hash"
}
kernel_image() { echo "$LAB_CACHE/kernels/$(kernel_key "$1")/bzImage"; }

check_config() { # .config fragments... -> 0 if every requested option is set as requested
        local cfg=$1 bad=0 line opt want have
        shift
        while IFS= read -r line; do
                case "$line" in CONFIG_*=*) ;; *) continue ;; esac
                opt=${line%%=*} want=${line#*=}
                have=$(grep -E "^$opt=" "$cfg" | cut -d= -f2- || true)
                if [ "$want" = n ]; then
                        grep -q "^# $opt is not set" "$cfg" || [ -z "$have" ] || {
                                log "config: want $opt=n, have $have"; bad=1; }
                elif [ "$want" != "$have" ]; then
                        log "config: want $opt=$want, have ${have:-unset}"
                        bad=1
                fi
        done < <(cat "$@")
        return $bad
}

build_kernel() {
        local s=$1 key out src ver t tb
        key=$(kernel_key "$s")
        out=$LAB_CACHE/kernels/$key
        if [ -f "$out/bzImage" ]; then
                log "kernel $s: cached ($key, built in $(cat "$out/build-seconds" 2>/dev/null || echo ?) s)"
                return 0
        fi
        exec 9>"$LAB_CACHE/kernel-$s.lock"
        flock 9
        if [ -f "$out/bzImage" ]; then flock -u 9; return 0; fi
        ver=$(dpkg-query -W -f='${Version}' "linux-source-$s")
        src=$LAB_CACHE/src/linux-source-$s
        t=$(date +%s)
        if [ "$(cat "$src/.lab-srcver" 2>/dev/null)" != "$ver" ]; then
                log "kernel $s: unpacking /usr/src/linux-source-$s.tar.xz ($ver)"
                rm -rf "$src"
                tar -C "$LAB_CACHE/src" -xJf "/usr/src/linux-source-$s.tar.xz"
                echo "$ver" > "$src/.lab-srcver"
        fi
        local tu=$(( $(date +%s) - t ))
        log "kernel $s: configuring (allnoconfig + $(kernel_fragments "$s" | xargs -n1 basename | tr '\n' ' '))"
        make -s -C "$src" allnoconfig >/dev/null
        # shellcheck disable=SC2046
        (cd "$src" && scripts/kconfig/merge_config.sh -m .config $(kernel_fragments "$s") >/dev/null)
        make -s -C "$src" olddefconfig >/dev/null
        # shellcheck disable=SC2046
        check_config "$src/.config" $(kernel_fragments "$s") ||
                die "kernel $s: the config fragment did not take (see above)"
        log "kernel $s: building bzImage with make -j$LAB_JOBS (several minutes on 2 cores)"
        mkdir -p "$out.tmp"
        tb=$(date +%s)
        nice -n 10 make -C "$src" -j"$LAB_JOBS" bzImage > "$out.tmp/build.log" 2>&1 || {
                tail -40 "$out.tmp/build.log" >&2; die "kernel $s: build failed"; }
        echo $(( $(date +%s) - tb )) > "$out.tmp/build-seconds"
        echo "$tu" > "$out.tmp/unpack-seconds"
        cp "$src/arch/x86/boot/bzImage" "$out.tmp/bzImage"
        cp "$src/.config" "$out.tmp/config"
        make -s -C "$src" kernelrelease > "$out.tmp/release"
        rm -rf "$out" && mv "$out.tmp" "$out"
        flock -u 9
        log "kernel $s: $(cat "$out/release") built in $(cat "$out/build-seconds") s (unpack ${tu} s)"
}

# ------------------------------------------------------------------------- lab binary, initrd
# The library's sources as Makefile.am lists them (the parse and internal convenience
# libraries), minus the files that need libudev or libnuma (not available statically). They go
# into an archive, so the linker takes only the objects the lab binary uses. `lib_sources udev`:
# only the files that need libudev or libnuma (the monitor, placement), for the dynamically
# linked build.
lib_sources() {
        local f list want=${1:-static}
        list=$(awk '/^lib_libcmaplan_(parse|internal)_la_SOURCES[ \t]*=/ { f = 1 }
                    f { for (i = 1; i <= NF; i++) if ($i ~ /\.c$/) print $i; if ($0 !~ /\\$/) f = 0 }' \
                    "$SRCDIR/Makefile.am")
        [ -n "$list" ] || list=$(cd "$SRCDIR" && ls lib/*.c)
        for f in $list; do
                if grep -qE '#include[[:space:]]*<(libudev|numa|numaif)\.h>' "$SRCDIR/$f"; then
                        [ "$want" = udev ] && echo "$SRCDIR/$f"
                else
                        [ "$want" = udev ] || echo "$SRCDIR/$f"
                fi
        done
        return 0
}

build_initramfs() { # -> $RUN/initramfs.cpio.gz
        local root=$RUN/initrd cfg=()
        local bd=${LAB_BUILDDIR:-$SRCDIR}
        if [ -f "$bd/config.h" ]; then cfg=(-include "$bd/config.h"); else cfg=(-D_GNU_SOURCE); fi
        local flags=(-O2 -g0 -std=gnu11 "${cfg[@]}" -I"$SRCDIR/include" -I"$SRCDIR/lib")
        log "building the static lab binary (library sources + tests/lab/cmaplan-lab.c)"
        mkdir -p "$RUN/obj"
        lib_sources | nice -n 5 xargs -P "$LAB_JOBS" -I{} sh -c \
                'gcc -c "$@" -o "$0/obj/$(basename {} .c).o" {}' "$RUN" "${flags[@]}" \
                2> "$RUN/cmaplan-lab.build.log" || {
                cat "$RUN/cmaplan-lab.build.log" >&2; die "compiling the library failed"; }
        rm -f "$RUN/libcmaplan-lab.a"
        ar rcs "$RUN/libcmaplan-lab.a" "$RUN"/obj/*.o
        gcc -static "${flags[@]}" -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation \
                -o "$RUN/cmaplan-lab" "$LAB_DIR/cmaplan-lab.c" "$RUN/libcmaplan-lab.a" -lm \
                2>> "$RUN/cmaplan-lab.build.log" || {
                cat "$RUN/cmaplan-lab.build.log" >&2; die "building cmaplan-lab failed"; }
        rm -rf "$root"
        mkdir -p "$root"/{bin,lab/scenarios,proc,sys,dev,tmp}
        cp /bin/busybox "$root/bin/busybox"
        install -m 755 "$LAB_DIR/init" "$root/init"
        install -m 755 "$RUN/cmaplan-lab" "$root/lab/cmaplan-lab"
        cp "$LAB_DIR"/scenarios/*.sh "$root/lab/scenarios/"
        (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1 > "$RUN/initramfs.cpio.gz")
        build_initramfs_udev "${flags[@]}"
}

# The libudev build for scenarios with LAB_MONITOR=1 (the library's monitor needs libudev, its
# placement check libnuma, which Debian ships as shared libraries only): cmaplan-lab-udev, linked
# dynamically, with the shared libraries it loads, in a second archive appended to the first (the kernel unpacks concatenated
# archives). The other scenarios keep booting the plain initramfs. -> $RUN/initramfs-udev.cpio.gz
build_initramfs_udev() {
        local root=$RUN/initrd-udev f
        mkdir -p "$RUN/obj-udev"
        for f in $(lib_sources udev); do
                gcc -c "$@" -o "$RUN/obj-udev/$(basename "$f" .c).o" "$f" 2>> "$RUN/cmaplan-lab.build.log" || {
                        cat "$RUN/cmaplan-lab.build.log" >&2; die "compiling $f failed"; }
        done
        gcc "$@" -DLAB_UDEV -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation \
                -o "$RUN/cmaplan-lab-udev" "$LAB_DIR/cmaplan-lab.c" "$RUN"/obj-udev/*.o "$RUN/libcmaplan-lab.a" \
                -ludev -lnuma -lm 2>> "$RUN/cmaplan-lab.build.log" || {
                cat "$RUN/cmaplan-lab.build.log" >&2; die "building cmaplan-lab-udev failed"; }
        rm -rf "$root"
        mkdir -p "$root/lab"
        install -m 755 "$RUN/cmaplan-lab-udev" "$root/lab/cmaplan-lab-udev"
        for f in $(ldd "$RUN/cmaplan-lab-udev" | grep -o '/[^ ]*'); do
                mkdir -p "$root$(dirname "$f")"
                cp -L "$f" "$root$f"
        done
        (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1 > "$RUN/udev.cpio.gz")
        cat "$RUN/initramfs.cpio.gz" "$RUN/udev.cpio.gz" > "$RUN/initramfs-udev.cpio.gz"
}

# ------------------------------------------------------------------------------- scenarios
scenario_names() {
        local f
        if [ -n "${LAB_SCENARIOS:-}" ]; then
                for f in $LAB_SCENARIOS; do
                        [ -f "$LAB_DIR/scenarios/$f.sh" ] || die "no scenario $f"
                        echo "$f"
                done
        else
                for f in "$LAB_DIR"/scenarios/*.sh; do basename "$f" .sh; done
        fi
}

# scenario_get NAME VAR: a variable of a scenario file (sourced in a subshell)
scenario_get() {
        (
                LAB_DESC= LAB_NODES= LAB_CPUS= LAB_CMDLINE= LAB_KERNELS_ONLY= LAB_EXPECT= LAB_XFAIL=
                LAB_BOOT_TIMEOUT= LAB_MONITOR= LAB_HOTPLUG_GB=
                # shellcheck disable=SC1090
                . "$LAB_DIR/scenarios/$1.sh"
                eval "printf '%s\n' \"\${$2:-}\""
        )
}

# ------------------------------------------------------------------------ host requests
# A scenario with LAB_HOTPLUG_GB=N boots with `-m T,slots=4,maxmem=T+N` and qemu's QMP monitor on
# a FIFO pair (qemu's "pipe" chardev: $RUN/qmp/<series>-<scenario>.in/.out; no socket client
# needed). The guest asks for memory with a console line, "LABREQ hotadd node=N size=<MiB>M";
# serve_requests answers with object-add + device_add pc-dimm and reports what qemu said (and the
# guest's ACPI _OST status for the DIMM) as LABR lines in <scenario>.host.log, appended to the
# console log after the boot. The guest does not wait for an answer but for the kernel's events.
QMP_IN= QMP_OUT= QMP_LOG=
qmp_wait() { # ERE SECONDS: QMP lines until one matches (printed); 1 on "error" or timeout
        local line end=$((SECONDS + $2))
        while [ $SECONDS -lt $end ] && IFS= read -r -t $((end - SECONDS)) line <&"$QMP_OUT"; do
                printf '%s\n' "$line" >> "$QMP_LOG"
                if [[ $line =~ $1 ]]; then
                        printf '%s\n' "$line"
                        [[ $line != *'"error"'* ]]
                        return
                fi
        done
        return 1
}
qmp_cmd() { # JSON: send, then wait for its answer
        printf '%s\n' "$1" >> "$QMP_LOG"
        printf '%s\n' "$1" >&"$QMP_IN"
        qmp_wait '"return"|"error"' 30 > /dev/null
}
serve_requests() { # LOG QMP PID OUT: answer the LABREQ lines of the console LOG until PID exits
        local log=$1 q=$2 pid=$3 out=$4 line req k=0 mib node ost st r
        QMP_LOG=$q.log
        exec {QMP_IN}<>"$q.in" {QMP_OUT}<>"$q.out"
        if ! qmp_wait '"QMP"' 60 > /dev/null || ! qmp_cmd '{"execute":"qmp_capabilities"}'; then
                echo "LABI host: no answer from qemu's QMP monitor (see $QMP_LOG)" >> "$out"
        fi
        tail -n +1 -s 0.2 --pid="$pid" -F "$log" 2> /dev/null | while IFS= read -r line; do
                case "$line" in *"LABREQ hotadd "*) ;; *) continue ;; esac
                req=${line#*LABREQ hotadd }
                req=${req%$'\r'}
                if ! [[ $req =~ ^node=([0-9]+)\ size=([0-9]+)M$ ]]; then
                        echo "LABI host: bad request '$req'" >> "$out"
                        continue
                fi
                node=${BASH_REMATCH[1]} mib=${BASH_REMATCH[2]}
                echo "LABI host: hotadd $k: object-add memory-backend-ram hp$k ${mib} MiB, device_add pc-dimm dimm$k node $node" >> "$out"
                r=0
                qmp_cmd "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"memory-backend-ram\",\"id\":\"hp$k\",\"size\":$((mib << 20))}}" || r=1
                echo "LABR host.hotadd.$k.object_add rc 0 $r 0 exact" >> "$out"
                r=0
                qmp_cmd "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"pc-dimm\",\"id\":\"dimm$k\",\"memdev\":\"hp$k\",\"node\":$node}}" || r=1
                echo "LABR host.hotadd.$k.device_add rc 0 $r 0 exact" >> "$out"
                # the guest's answer to the ACPI notification (_OST): 0 = success, 0x80 = in progress
                st=-1
                while ost=$(qmp_wait "\"ACPI_DEVICE_OST\".*\"dimm$k\"" 120); do
                        st=$(printf '%s' "$ost" | sed -n 's/.*"status": *\([0-9]*\).*/\1/p')
                        [ "$st" != 128 ] && break
                done
                echo "LABR host.hotadd.$k.acpi_ost_status status 0 ${st:--1} 0 exact" >> "$out"
                k=$((k + 1))
        done
}

# run_scenario SERIES NAME: one boot; log in $RUN/logs/SERIES/NAME.log, a line in $RUN/boots.tsv
run_scenario() {
        local s=$1 n=$2 kernel nodes cpus cmdline args=() i=0 total=0 sz log t0 t1 rc=0 to hp mem
        local initrd=$RUN/initramfs.cpio.gz q=
        kernel=$(kernel_image "$s")
        nodes=$(scenario_get "$n" LAB_NODES)
        cpus=$(scenario_get "$n" LAB_CPUS)
        cmdline=$(scenario_get "$n" LAB_CMDLINE)
        to=$(scenario_get "$n" LAB_BOOT_TIMEOUT)
        to=${to:-$LAB_TIMEOUT}
        hp=$(scenario_get "$n" LAB_HOTPLUG_GB)
        [ "$(scenario_get "$n" LAB_MONITOR)" = 1 ] && initrd=$RUN/initramfs-udev.cpio.gz
        cpus=${cpus:-2}
        for sz in ${nodes:-2 2}; do
                local mem_opt=",memdev=m$i"
                if [ "$sz" = 0 ]; then
                        mem_opt=            # no memory at boot (a hot-add target)
                else
                        args+=(-object "memory-backend-ram,id=m$i,size=${sz}G")
                fi
                if [ "$i" -lt "$cpus" ]; then
                        args+=(-numa "node,nodeid=$i,cpus=$i$mem_opt")
                else
                        args+=(-numa "node,nodeid=$i$mem_opt")      # memory-only node
                fi
                total=$((total + sz)) i=$((i + 1))
        done
        [ "$cpus" -le "$i" ] || die "scenario $n: LAB_CPUS=$cpus > number of nodes $i"
        mkdir -p "$RUN/logs/$s"
        log="$RUN/logs/$s/$n.log"
        mem=${total}G
        if [ -n "$hp" ]; then
                mem="${total}G,slots=4,maxmem=$((total + hp))G"
                q=$RUN/qmp/$s-$n
                mkdir -p "$RUN/qmp"
                rm -f "$q.in" "$q.out" "$RUN/logs/$s/$n.host.log"
                mkfifo "$q.in" "$q.out"
                args+=(-chardev "pipe,id=qmp,path=$q" -mon "chardev=qmp,mode=control")
        fi
        local cmd=(nice -n 5 qemu-system-x86_64 -accel tcg -cpu max -m "$mem" -smp "$cpus,sockets=$cpus,cores=1,threads=1"
                   -nodefaults -display none -serial stdio -no-reboot "${args[@]}"
                   -kernel "$kernel" -initrd "$initrd"
                   -append "console=ttyS0 panic=-1 loglevel=1 lab.scenario=$n lab.kernel=$s lab.apply=$LAB_APPLY${cmdline:+ $cmdline}")
        printf '%q ' "${cmd[@]}" > "$RUN/logs/$s/$n.cmd"
        echo >> "$RUN/logs/$s/$n.cmd"
        t0=$(date +%s.%N)
        if [ -n "$q" ]; then
                local qpid wpid
                timeout -k 5 "$to" "${cmd[@]}" < /dev/null > "$log" 2>&1 &
                qpid=$!
                serve_requests "$log" "$q" "$qpid" "$RUN/logs/$s/$n.host.log" &
                wpid=$!
                wait "$qpid" || rc=$?
                wait "$wpid" || true
                rm -f "$q.in" "$q.out"
        else
                timeout -k 5 "$to" "${cmd[@]}" < /dev/null > "$log" 2>&1 || rc=$?
        fi
        t1=$(date +%s.%N)
        tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
        [ -z "$q" ] || [ ! -f "$RUN/logs/$s/$n.host.log" ] || cat "$RUN/logs/$s/$n.host.log" >> "$log"
        local wall end
        wall=$(echo "$t1 - $t0" | bc)
        end=$(grep -a -o 'LAB END rc=[0-9]* uptime=[0-9.]*' "$log" | tail -1 || true)
        printf '%s\t%s\t%s\t%.1f\t%s\n' "$s" "$n" "$rc" "$wall" "${end:-no LAB END}" >> "$RUN/boots.tsv"
        log "boot $s/$n: $(printf '%.1f' "$wall") s, qemu rc=$rc, ${end:-no LAB END}"
}

# ------------------------------------------------------------------------------- summary
# LABR lines (from cmaplan-lab.c): LABR <quantity> <unit> <predicted|-> <observed> <tol> <rule>
summarize() {
        local s n out=$RUN/summary.txt tsv=$RUN/results.tsv
        : > "$tsv"
        for s in $LAB_KERNELS; do
                for n in $(scenario_names); do
                        local log=$RUN/logs/$s/$n.log
                        [ -f "$log" ] || continue
                        local release xfail expect
                        release=$(grep -a -m1 -o 'LAB BEGIN .*kernel=[^ ]*' "$log" | sed 's/.*kernel=//' || true)
                        xfail=$(scenario_get "$n" LAB_XFAIL)
                        expect=$(scenario_get "$n" LAB_EXPECT)
                        grep -a '^LABR ' "$log" | awk -v sc="$n" -v k="${release:-$s}" -v xf="$xfail" '
                        BEGIN { nx = split(xf, xl, "\n") }
                        function glob2re(g) { gsub(/\./, "\\.", g); gsub(/\*/, ".*", g); return "^" g "$" }
                        {
                                q = $2; u = $3; p = $4; o = $5; t = $6; rule = $7
                                if (p == "-") { st = "INFO"; e = "-" }
                                else {
                                        e = o - p; ae = e < 0 ? -e : e
                                        if (rule == "bound") st = (o <= p + t + 1e-9) ? "PASS" : "FAIL"
                                        else st = (ae <= t + 1e-9) ? "PASS" : "FAIL"
                                        for (i = 1; i <= nx; i++) {
                                                g = xl[i]; sub(/^[ \t]+/, "", g); if (g == "") continue
                                                pat = g; sub(/[ \t]*:.*/, "", pat)
                                                if (q ~ glob2re(pat)) st = (st == "FAIL") ? "XFAIL" : "XPASS"
                                        }
                                }
                                printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sc, k, q, u, p, o, e, t, rule, st
                        }' >> "$tsv"
                        # scenario-level checks: a clean end, every expected quantity reported
                        local ok=PASS why="guest steps ran to the end"
                        grep -aq 'LAB END rc=0' "$log" || { ok=FAIL; why="no 'LAB END rc=0' (see $log)"; }
                        local g
                        for g in $expect; do
                                awk -F'\t' -v sc="$n" -v k="${release:-$s}" -v g="$g" '
                                        function glob2re(x) { gsub(/\./, "\\.", x); gsub(/\*/, ".*", x); return "^" x "$" }
                                        $1 == sc && $2 == k && $3 ~ glob2re(g) { f = 1 } END { exit !f }' "$tsv" ||
                                        { ok=FAIL; why="expected quantity $g not reported"; }
                        done
                        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "${release:-$s}" "scenario.complete" \
                                "-" "-" "-" "-" "-" "$why" "$ok" >> "$tsv"
                done
        done
        {
                echo "# cmaplan kernel lab, $(date -u +%FT%TZ), $(qemu-system-x86_64 --version | head -1)"
                echo "# run dir: $RUN"
                echo "# boots (kernel, scenario, qemu rc, wall s, guest end):"
                sed 's/^/#   /' "$RUN/boots.tsv"
                echo
                awk -F'\t' 'BEGIN { printf "%-18s %-22s %-34s %-6s %12s %12s %10s %8s  %s\n",
                                "scenario", "kernel", "quantity", "unit", "predicted", "observed", "error", "tol", "result" }
                        { printf "%-18s %-22s %-34s %-6s %12s %12s %10s %8s  %s%s\n", $1, $2, $3, $4, $5, $6, $7, $8, $10,
                                ($10 == "FAIL" || $10 == "XFAIL" || $3 == "scenario.complete" && $10 != "PASS") ? "  (" $9 ")" : "" }' "$tsv"
                echo
                awk -F'\t' '{ c[$10]++ } END { printf "totals:"; for (k in c) printf " %s=%d", k, c[k]; printf "\n" }' "$tsv"
        } > "$out"
        cat "$out"
        ! grep -q $'\tFAIL$' "$tsv"
}

# ----------------------------------------------------------------------------------- main
new_run() {
        RUN=$LAB_CACHE/runs/$(date +%Y%m%d-%H%M%S)-$$
        mkdir -p "$RUN"
        ln -sfn "$RUN" "$LAB_CACHE/runs/latest"
        : > "$RUN/boots.tsv"
}

case "$MODE" in
setup) setup_packages ;;
kernels) setup_packages; for s in $LAB_KERNELS; do build_kernel "$s"; done ;;
initramfs) new_run; build_initramfs; log "initramfs: $RUN/initramfs.cpio.gz" ;;
list) for n in $(scenario_names); do printf '%-20s %s\n' "$n" "$(scenario_get "$n" LAB_DESC)"; done ;;
run)
        setup_packages
        for s in $LAB_KERNELS; do build_kernel "$s"; done
        new_run
        build_initramfs
        for s in $LAB_KERNELS; do
                for n in $(scenario_names); do
                        only=$(scenario_get "$n" LAB_KERNELS_ONLY)
                        if [ -n "$only" ] && ! printf ' %s ' "$only" | grep -q " $s "; then continue; fi
                        run_scenario "$s" "$n"
                done
        done
        rc=0
        summarize || rc=1
        log "results in $RUN (summary.txt, results.tsv, logs/); total $(( $(date +%s) - T0 )) s"
        exit $rc
        ;;
*) echo "usage: $0 [run|setup|kernels|initramfs|list]" >&2; exit 2 ;;
esac
