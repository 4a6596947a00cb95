#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once per machine) the small x86_64 debug kernel the vmdebug lane
# boots: Debian's linux-source-6.1, "make tinyconfig" plus the fragment
# tests/vm/debug.config (KASAN, lockdep, kmemleak, UBSAN, debug objects,
# and just what the test VM needs, all built in), then "make olddefconfig".
#
#   scripts/debug-kernel.sh            build if needed; print the kernel's directory
#   scripts/debug-kernel.sh --check    print the directory if it is built, else exit 1
#   scripts/debug-kernel.sh --key      print the cache key and exit
#
# The result lives outside the tree, in
#   ${EDGEAI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeai}/debug-kernel/KEY/
# with KEY a hash of the linux-source-6.1 package version, the fragment,
# this script and the compiler, so a machine builds it once and rebuilds
# it when one of those changes. The directory holds
#   vmlinux     the kernel (ELF, booted through its PVH entry)
#   bzImage     the same kernel, compressed
#   config      its .config
#   release     its release string (uname -r)
#   build/      a minimal object tree to build external modules against:
#               make -C KEY/build M=... modules
#   modules/    /lib/modules/RELEASE/modules.* (everything is built in)
# Every "=y" (or string) option of the fragment must survive olddefconfig:
# the build fails naming those that did not. Several runs at once wait for
# one build (flock). EDGEAI_DEBUG_KERNEL_KEEP=1 keeps the full build tree
# (DIR.work) for debugging; JOBS=N overrides -j$(nproc).
set -eu

self=$(readlink -f "$0")
repo=$(readlink -f "$(dirname "$self")/..")
fragment=$repo/tests/vm/debug.config
tarball=/usr/src/linux-source-6.1.tar.xz
pkg=linux-source-6.1
base=${EDGEAI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeai}/debug-kernel
jobs=${JOBS:-$(nproc)}

say() {
	echo "debug-kernel: $*" >&2
}

die() {
	say "$*"
	exit 1
}

[ -r "$fragment" ] || die "no $fragment"

cache_key() {
	local ver
	ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo unknown)
	{
		echo "$pkg $ver"
		stat -L -c '%s %Y' "$tarball" 2>/dev/null || true
		cat "$fragment" "$self"
		${CC:-gcc} --version 2>/dev/null | head -n 1
	} | sha256sum | cut -c1-16
}

key=$(cache_key)
out=$base/$key

case "${1:-}" in
--key)
	echo "$key"
	exit 0
	;;
--check)
	[ -f "$out/done" ] || exit 1
	echo "$out"
	exit 0
	;;
"")
	;;
*)
	echo "usage: $0 [--check|--key]" >&2
	exit 2
	;;
esac

if [ -f "$out/done" ]; then
	echo "$out"
	exit 0
fi

[ -r "$tarball" ] || die "$tarball missing: install $pkg (scripts/deps.sh)"
for t in make gcc flex bison bc xz perl; do
	command -v "$t" >/dev/null || die "$t not found: run scripts/deps.sh"
done

mkdir -p "$base"
exec 9>"$base/lock"
if ! flock -n 9; then
	say "another run is building it: waiting for it"
	flock 9
fi
# Another run may have built it while we waited.
if [ -f "$out/done" ]; then
	echo "$out"
	exit 0
fi

work=$out.work
rm -rf "$work" "$out"
mkdir -p "$work"
start=$(date +%s)
say "building the debug kernel in $work (key $key, -j$jobs; about 15 min on 2 cores)"

say "unpacking $tarball"
tar -xJf "$tarball" -C "$work" --strip-components=1
src=$work

mk() {
	make -C "$src" ARCH=x86_64 -j"$jobs" "$@"
}

# Configure: tinyconfig, the fragment on top, olddefconfig for the rest.
# (merge_config.sh's "override" notes about choices are expected.)
{
	mk -s tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$fragment" &&
		mk -s olddefconfig
} >"$work/config.log" 2>&1 || {
	cat "$work/config.log" >&2
	die "configuring the kernel failed"
}

# Every option the fragment asks for must be there as asked.
lost=
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) ;;
	*) continue ;;
	esac
	grep -qxF "$line" "$src/.config" || lost="$lost $line(got: $(grep -E "^(# )?${line%%=*}[= ]" "$src/.config" || echo absent))"
done <"$fragment"
if [ -n "$lost" ]; then
	say "these options of $fragment did not survive olddefconfig (missing dependencies?):"
	for l in $lost; do
		say "    $l"
	done
	exit 1
fi

say "compiling ($(grep -c '=y' "$src/.config") options built in)"
log=$work/build.log
if ! mk all >"$log" 2>&1; then
	tail -n 60 "$log" >&2
	die "kernel build failed (full log: $log)"
fi
release=$(cat "$src/include/config/kernel.release")

# Install into the final directory under a temporary name.
stage=$out.tmp
rm -rf "$stage"
mkdir -p "$stage/build" "$stage/modules"
cp "$src/vmlinux" "$stage/vmlinux"
cp "$src/arch/x86/boot/bzImage" "$stage/bzImage"
cp "$src/.config" "$stage/config"
echo "$release" >"$stage/release"
mk -s INSTALL_MOD_PATH="$stage/modules" modules_install >/dev/null
rm -f "$stage/modules/lib/modules/$release/build" "$stage/modules/lib/modules/$release/source"

# The minimal tree for "make M=": what Debian's linux-headers packages
# keep — every Makefile/Kconfig/Kbuild, the headers (generated ones too),
# arch/x86's build files, scripts/ with its host tools, objtool, .config,
# Module.symvers — and none of the objects or C sources.
(
	cd "$src"
	{
		find . -path ./tools -prune -o -path ./Documentation -prune -o \
			\( -name 'Makefile*' -o -name 'Kconfig*' -o -name 'Kbuild*' \) -type f -print
		find include arch/x86/include -type f
		find scripts -type f ! -name '*.o' ! -name '*.c' ! -name '.*.cmd'
		find arch/x86 -maxdepth 1 -type f
		echo .config
		echo Module.symvers
		echo System.map
		echo tools/objtool/objtool
		find include/config -type f
	} | sort -u | tar -cf - -T - | tar -xf - -C "$stage/build"
)
ln -s "$out/build" "$stage/modules/lib/modules/$release/build"

echo $(( $(date +%s) - start )) >"$stage/build-seconds"
mv "$stage" "$out"
touch "$out/done"
if [ "${EDGEAI_DEBUG_KERNEL_KEEP:-0}" != 1 ]; then
	rm -rf "$work"
fi
say "built $release in $(( $(date +%s) - start )) s: $out"
echo "$out"
