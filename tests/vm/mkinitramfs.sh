#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the tiny initramfs that tests/vm/run boots: a static busybox, the
# guest init script and just the kernel modules needed to reach the host's
# filesystem over virtio-9p. Everything else (the test binaries, the other
# modules, libraries) is read from the host at run time, so this image only
# changes when the kernel, busybox or these scripts change.
#
#   mkinitramfs.sh KVER MODDIR OUTPUT [BUSYBOX]
#
# KVER is the kernel release (uname -r of the guest), MODDIR its
# /lib/modules/KVER directory. OUTPUT is written atomically: the archive is
# built under a temporary name in the same directory and renamed into place,
# so a concurrent or interrupted build never leaves a truncated file behind.
set -eu

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	echo "usage: $0 KVER MODDIR OUTPUT [BUSYBOX]" >&2
	exit 2
fi
kver=$1
moddir=$2
out=$3
busybox=${4:-$(command -v busybox || echo /bin/busybox)}
here=$(cd "$(dirname "$0")" && pwd -P)

# Top-level modules the init needs; their dependencies come from
# modules.dep so that a differently configured kernel (more or fewer helper
# modules, some of them built in) still gets a working load order.
# virtio_pci: the transport for every virtio device qemu gives us.
# 9pnet_virtio + 9p: the host filesystem shares.
# virtio_console: the virtio-serial port that carries the command's output.
WANT="virtio_pci 9pnet_virtio 9p virtio_console"

[ -r "$moddir/modules.dep" ] || {
	echo "mkinitramfs: $moddir/modules.dep not found (is linux-image for $kver installed?)" >&2
	exit 1
}
[ -x "$busybox" ] || { echo "mkinitramfs: busybox not found (apt-get install busybox-static)" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/edgeai-initramfs.XXXXXX")
tmpout=
cleanup() {
	rm -rf "$stage"
	[ -z "$tmpout" ] || rm -f "$tmpout"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" \
	"$stage/mnt/root" "$stage/ctl" "$stage/lib/modules" "$stage/etc"
cp "$busybox" "$stage/bin/busybox"
# One symlink per applet so the init script can call them by name.
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
done
cp "$here/init" "$stage/init"
chmod 755 "$stage/init"
# The kernel opens /dev/console for init's stdio before init can mount
# devtmpfs; without the node it warns and init starts with no fds. mknod
# needs root, which building as non-root simply skips (init copes).
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true

# modules.dep lines look like "kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko
# kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko" and list the
# complete transitive closure, deepest dependency last. Loading the deps in
# reverse order and then the module itself gives a valid insmod order.
resolve() {
	# Module names use '_' and '-' interchangeably; modules.dep spells the
	# file name as it is on disk.
	pat=$(printf '%s' "$1" | sed 's/[-_]/[-_]/g')
	line=$(grep -E "(^|/)${pat}\.ko(\.[a-z0-9]+)?:" "$moddir/modules.dep" | head -n 1 || true)
	if [ -z "$line" ]; then
		if grep -qE "(^|/)${pat}\.ko$" "$moddir/modules.builtin" 2>/dev/null; then
			return 0	# built into the kernel: nothing to load
		fi
		echo "mkinitramfs: module $1 not found in $moddir/modules.dep" >&2
		exit 1
	fi
	mod=${line%%:*}
	deps=${line#*:}
	rev=
	for d in $deps; do rev="$d $rev"; done
	echo "$rev $mod"
}

order=
for m in $WANT; do
	order="$order $(resolve "$m")"
done

: >"$stage/etc/modules"
seen=" "
for path in $order; do
	case $seen in *" $path "*) continue ;; esac
	seen="$seen$path "
	name=$(basename "$path")
	src="$moddir/$path"
	# Keep the image loadable by busybox insmod whatever compression the
	# kernel packager chose.
	case $name in
	*.ko)     cp "$src" "$stage/lib/modules/$name" ;;
	*.ko.xz)  name=${name%.xz};  xz -dc "$src" >"$stage/lib/modules/$name" ;;
	*.ko.zst) name=${name%.zst}; zstd -qdc "$src" >"$stage/lib/modules/$name" ;;
	*.ko.gz)  name=${name%.gz};  gzip -dc "$src" >"$stage/lib/modules/$name" ;;
	*) echo "mkinitramfs: don't know how to unpack $src" >&2; exit 1 ;;
	esac
	echo "$name" >>"$stage/etc/modules"
done
echo "$kver" >"$stage/etc/kver"

mkdir -p "$(dirname "$out")"
tmpout=$(mktemp "$out.tmp.XXXXXX")
# newc is the format the kernel unpacks; -R 0:0 makes every file root-owned
# regardless of who builds. Uncompressed on purpose: it is ~3 MB and the
# guest would spend longer inflating it under TCG than qemu spends loading it.
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmpout"
chmod 644 "$tmpout"
mv -f "$tmpout" "$out"
tmpout=
