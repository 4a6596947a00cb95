#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build edgeai.ko and edgeai_synth.ko against the debug kernel
# (scripts/debug-kernel.sh) in a copy of the module sources, so that the
# Debian 6.1 build in kmod/ that the vm lane loads is never touched.
#
#   tests/vmdebug/build-kmod.sh [PLANT]
#
# Output: ${EDGEAI_BUILD:-build}/kmod-debug[-PLANT]/kmod/{edgeai.ko,
# synth/edgeai_synth.ko, ...}; the directory is printed on stdout. PLANT
# (uaf, lockorder) builds with EDGEAI_PLANT=PLANT (kmod/Kbuild). The copy
# keeps the sources' mtimes, so a rebuild only compiles what changed.
# Fails if the debug kernel is not built yet (scripts/debug-kernel.sh
# --check) unless EDGEAI_DEBUG_KERNEL_BUILD=1 lets it build it.
set -eu

src=$(readlink -f "$(dirname "$0")/../..")
build=${EDGEAI_BUILD:-$src/build}
plant=${1:-}
case $plant in
'' | uaf | lockorder) ;;
*) echo "usage: $0 [uaf|lockorder]" >&2; exit 2 ;;
esac

if [ "${EDGEAI_DEBUG_KERNEL_BUILD:-1}" = 1 ]; then
	kdir=$("$src/scripts/debug-kernel.sh")
else
	kdir=$("$src/scripts/debug-kernel.sh" --check) || {
		echo "build-kmod: the debug kernel is not built: run scripts/debug-kernel.sh" >&2
		exit 1
	}
fi

out=$build/kmod-debug${plant:+-$plant}
mkdir -p "$out"
# Sources only, mtimes kept; the objects of the Debian build stay behind.
tar -C "$src" -cf - \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='modules.order' --exclude='Module.symvers' \
	--exclude='.*.d' --exclude='*.a' \
	Kbuild kmod include/uapi | tar -C "$out" -xf -

log=$out/build.log
if ! make -C "$kdir/build" M="$out" -j"$(nproc)" \
	${plant:+EDGEAI_PLANT=$plant} modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-kmod: building the module against $kdir/build failed" >&2
	exit 1
fi
want=$(cat "$kdir/release")
for ko in "$out/kmod/edgeai.ko" "$out/kmod/synth/edgeai_synth.ko"; do
	got=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	[ "$got" = "$want" ] || {
		echo "build-kmod: $ko is for '$got', not the debug kernel $want" >&2
		exit 1
	}
done
echo "$out"
