# SPDX-License-Identifier: GPL-2.0
# Helpers for the edgeaid tests (tests/unit/edgeaid_*.sh): source after
# tests/lib.sh. Sets D (the daemon), GEN (edgeai-sensorgen), MODEL (the
# test model script) and W (a scratch directory removed at exit).

D=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaid
GEN=$EDGEAI_BUILD/edgeai-sensorgen
MODEL=$EDGEAI_SRC/tests/edgeaid/model.py
[ -x "$D" ] || t_fail "no $D: run make tests"
[ -x "$GEN" ] || t_fail "no $GEN: run make"
W=$(mktemp -d)
EAD_PID=
trap 'ead_kill; [ -n "${KEEP:-}" ] || rm -rf "$W"; rm -f "$T_OUT" "$T_ERR"' EXIT

ead_kill()
{
	[ -n "$EAD_PID" ] && kill -9 "$EAD_PID" 2>/dev/null
	EAD_PID=
}

# ead_start CONF: run edgeaid -f -c CONF, logs in $W/log, results of
# jsonl:- sinks in $W/stdout.
ead_start()
{
	: >"$W/log"
	"$D" -f -c "$1" >"$W/stdout" 2>"$W/log" &
	EAD_PID=$!
	wait_for_line "$W/log" "pipeline(s) from" 10 ||
		t_fail "edgeaid did not start: $(cat "$W/log")"
}

# ead_port NAME: the UDP port pipeline NAME listens on (latest start).
ead_port()
{
	local p
	p=$(sed -n "s/.*\[pipeline $1\] listening on UDP port \([0-9]*\).*/\1/p" "$W/log" | tail -1)
	[ -n "$p" ] || t_fail "pipeline $1 has no port: $(cat "$W/log")"
	echo "$p"
}

# ead_stop: SIGTERM, expect exit 0 within 10 s.
ead_stop()
{
	local rc
	kill -TERM "$EAD_PID"
	for _ in $(seq 100); do kill -0 "$EAD_PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$EAD_PID" 2>/dev/null && t_fail "edgeaid still running 10 s after SIGTERM"
	wait "$EAD_PID"
	rc=$?
	EAD_PID=
	[ $rc -eq 0 ] || t_fail "exit status after SIGTERM: $rc: $(cat "$W/log")"
	grep -q "stopped cleanly" "$W/log" || t_fail "no clean-stop message"
}

# wait_lines FILE N SECONDS: until FILE has at least N lines.
wait_lines()
{
	for _ in $(seq $(($3 * 10))); do
		[ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# send PORT SENSOR COUNT [ELEMS]: valid f32 packets from edgeai-sensorgen,
# paced (20000/s) so that a slow (ASan) daemon's socket does not overflow.
send()
{
	"$GEN" send --dst "127.0.0.1:$1" --sensor "$2" --count "$3" \
		--dtype f32 --elems "${4:-4}" --rate 20000 >/dev/null ||
		t_fail "edgeai-sensorgen send failed"
}

# pipeline_conf NAME MODEL SINK [EXTRA LINES...]
pipeline_conf()
{
	local name=$1 model=$2 sink=$3
	shift 3
	printf '[pipeline %s]\nsource = udp:127.0.0.1:0\nstage = scale:mul=0.5\nelems = 4\nmodel = %s\nsink = %s\nbatch = 16\n' \
		"$name" "$model" "$sink"
	for l in "$@"; do echo "$l"; done
	echo
}
