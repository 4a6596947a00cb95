# SPDX-License-Identifier: GPL-2.0
# Helpers for shell tests: source it, then use expect_rc, t_fail, t_pass.
# Exit codes follow tests/README.md: 0 pass, 1 fail, 77 skip.

T_OUT=$(mktemp)
T_ERR=$(mktemp)
trap 'rm -f "$T_OUT" "$T_ERR"' EXIT

t_fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

t_skip()
{
	echo "skip: $*"
	exit 77
}

t_pass()
{
	exit 0
}

# expect_rc STATUS CMD...: run CMD, stdout to $T_OUT, stderr to $T_ERR.
expect_rc()
{
	local want=$1 rc
	shift
	"$@" >"$T_OUT" 2>"$T_ERR"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "--- stdout:" >&2; cat "$T_OUT" >&2
		echo "--- stderr:" >&2; cat "$T_ERR" >&2
		t_fail "'$*': expected exit $want, got $rc"
	fi
}

# json_get FILE a.b.c: print that member (Python repr for booleans).
json_get()
{
	/usr/bin/python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$1" "$2" || t_fail "not valid JSON or no member $2: $(cat "$1")"
}

# wait_for_line FILE PATTERN SECONDS
wait_for_line()
{
	local i
	for i in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
