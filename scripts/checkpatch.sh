#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl --strict on the module sources and the
# UAPI header. checkpatch comes from Debian's linux-source-6.1 tarball; the
# few files it needs are unpacked once into a cache directory outside the
# tree, keyed by the package version.
#
#   scripts/checkpatch.sh            check kmod/ and include/uapi/
#   scripts/checkpatch.sh FILE...    check these files
#   scripts/checkpatch.sh --path     print the checkpatch.pl path only
set -euo pipefail

SRC=$(readlink -f "$(dirname "$0")/..")
CACHE=${EDGEAI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeai}
TARBALL=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
if [ -z "$TARBALL" ]; then
	echo "checkpatch: /usr/src/linux-source-6.1.tar.xz missing: run scripts/deps.sh" >&2
	exit 2
fi
VER=$(dpkg-query -W -f='${Version}' linux-source-6.1)
DIR=$CACHE/checkpatch-$VER

if [ ! -x "$DIR/scripts/checkpatch.pl" ]; then
	echo "checkpatch: unpacking checkpatch.pl from $TARBALL (once)" >&2
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/checkpatch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tar -C "$tmp" -xJf "$TARBALL" --strip-components=1 \
		--wildcards 'linux-source-6.1/scripts/checkpatch.pl' \
		'linux-source-6.1/scripts/spelling.txt' \
		'linux-source-6.1/scripts/const_structs.checkpatch'
	rm -rf "$DIR"
	mv "$tmp" "$DIR"
	trap - EXIT
fi

if [ "${1:-}" = "--path" ]; then
	echo "$DIR/scripts/checkpatch.pl"
	exit 0
fi

if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(cd "$SRC" && git ls-files -co --exclude-standard \
		'kmod/*.[ch]' 'include/uapi/*.h' | sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "checkpatch: no files" >&2; exit 2; }

cd "$SRC"
# SPDX_LICENSE_TAG is checked with the tree's license list, which --no-tree
# lacks; FILE_PATH_CHANGES is about patches, not files.
exec perl "$DIR/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types --ignore FILE_PATH_CHANGES -f "${files[@]}"
