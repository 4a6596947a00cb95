#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tools/completion/edgeaictl.bash: sourced into bash, its function
# completes objects, commands, options, ring names (from "edgeaictl -j
# ring list", here a stand-in), sensor ids and network devices.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

SCRIPT=$EDGEAI_SRC/tools/completion/edgeaictl.bash
[ -f "$SCRIPT" ] || t_fail "no $SCRIPT"
bash -n "$SCRIPT" || t_fail "$SCRIPT: syntax error"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR" "$T_OUT" "$T_ERR"' EXIT

# A stand-in edgeaictl answering the two lists the script asks for.
cat >"$DIR/edgeaictl" <<'SH'
#!/bin/sh
case "$*" in
"-j ring list") echo '{"rings":[{"id":1,"name":"imu0"},{"id":2,"name":"cam0"}]}' ;;
"-j bpf sensor list") echo '{"sensors":[{"id":17},{"id":4242}]}' ;;
"-j pipeline list") echo '{"runtime":{"running":true,"pipelines":[{"name":"imu"},{"name":"vib"}]}}' ;;
*) exit 1 ;;
esac
SH
chmod +x "$DIR/edgeaictl"

# shellcheck source=tools/completion/edgeaictl.bash
. "$SCRIPT"
complete -p edgeaictl | grep -q -- '-F _edgeaictl' || t_fail "not registered"

# comp WORD...: complete the last word of "edgeaictl WORD..."; the sorted
# candidates, one line.
comp()
{
	COMP_WORDS=("$DIR/edgeaictl" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_edgeaictl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# check EXPECTED WORD...
check()
{
	local want=$1 got
	shift
	got=$(comp "$@")
	[ "$got" = "$want" ] || t_fail "edgeaictl $* <TAB>: got '$got', want '$want'"
}

check "bpf help model monitor pipeline ring stats top version" ""
check "ring" r
check "stats" -j s
check "--help --json --pretty --version" --
check "attach detach help sensor show stats" bpf ""
check "attach detach help sensor show stats" -p bpf ""
check "--prometheus --runtime-stats" stats --
check "--runtime-stats" stats --prometheus --r
check "--delay --iterations --runtime-stats -d -n" top -
check "" top -n ""
check "create delete help list show" ring ""
check "cam0 id imu0 name" ring show ""
check "id imu0" ring sh i
check "cam0" ring sh c
check "1 2" ring delete id ""
check "f16 f32 f64" ring create r1 dtype f
check "overwrite" ring create r1 ov
check "17 4242" bpf sensor delete ""
check "--burst" bpf sensor add 5 --b
check "generic native" bpf attach lo --mode ""
check "lo" bpf attach l
check "--all" bpf detach --
check "--dry-run --mode --port" bpf attach lo --
check "help" monitor ""
check "help list reload show" pipeline ""
check "imu vib" pipeline show ""
check "vib" pipeline rel v
check "--at-sample --socket" pipeline reload imu --
check "" pipeline reload imu --at-sample ""
t_pass
