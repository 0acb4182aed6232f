#!/bin/sh
# Install what building and testing libcmaplan (and its Python bindings, man pages) needs on
# Debian 12 (bookworm). CI-only tools (clang for fuzzing, valgrind, the kernel lab) come with
# their own steps.
# Runs apt-get as root, through sudo when not root. Installs only what is missing.
set -eu
pkgs="build-essential autoconf automake libtool pkg-config autoconf-archive libnuma-dev libudev-dev check python3 python3-dev swig man-db groff-base xz-utils"
missing=
for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
echo "installing:$missing"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing
