#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building, testing, the demo and the
# benchmarks of edgeai need, and mount the BPF filesystem at /sys/fs/bpf
# where it is missing (systemd mounts it at boot; a minimal system or a
# container may not, and the XDP filter pins its maps there). Idempotent:
# when everything is present it only runs dpkg-query and stat and exits in
# well under a second.
#
#   scripts/deps.sh            install what is missing, mount bpffs
#   scripts/deps.sh --list     print the package list and exit
#   scripts/deps.sh --check    exit 1 (and name them) if packages are
#                              missing or bpffs is not mounted
set -eu

BPFFS=/sys/fs/bpf

PKGS="
build-essential make pkg-config git
gcc g++ clang llvm lld libclang-rt-14-dev
libbpf-dev bpftool
liburing-dev
libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
libjson-c-dev libinih-dev
libelf-dev zlib1g-dev
linux-headers-amd64 linux-image-amd64 linux-source-6.1
flex bison bc dwarves libssl-dev
kmod
qemu-system-x86 busybox-static cpio
iproute2 iputils-ping ethtool strace linux-perf groff-base tmux
python3 python3-numpy python3-scapy python3-sklearn python3-yaml python3-jsonschema
python3-onnx python3-torch python3-matplotlib
cppcheck sparse
xz-utils
"

case "${1:-}" in
--list)
	echo $PKGS | tr ' ' '\n'
	exit 0
	;;
--check|"")
	;;
*)
	echo "usage: $0 [--list|--check]" >&2
	exit 2
	;;
esac

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done

bpffs_ok() {
	[ "$(stat -f -c %T "$BPFFS" 2>/dev/null)" = bpf_fs ]
}

if [ "${1:-}" = "--check" ]; then
	rc=0
	if [ -n "$missing" ]; then
		echo "deps.sh: missing packages:$missing" >&2
		rc=1
	fi
	if ! bpffs_ok; then
		echo "deps.sh: $BPFFS is not a BPF filesystem (mount -t bpf bpf $BPFFS)" >&2
		rc=1
	fi
	exit $rc
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

# The XDP filter's pins (edgeaictl bpf, edgeaid, the demo, the bpf lane).
if ! bpffs_ok; then
	echo "deps.sh: mounting the BPF filesystem at $BPFFS" >&2
	$SUDO mount -t bpf bpf "$BPFFS" ||
		echo "deps.sh: could not mount bpffs at $BPFFS: the XDP parts will fail or be skipped" >&2
fi

if [ -z "$missing" ]; then
	exit 0
fi

echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists when they are missing or older than a day.
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n1)" ]; then
	$SUDO apt-get update -q
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
	$SUDO apt-get update -q
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q --no-install-recommends $missing
fi
