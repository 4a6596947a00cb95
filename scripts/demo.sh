#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh - what `make demo` runs after building and training.
#
# An edge node end to end, for DEMO_SECONDS (default 30): edgeai_synth.ko
# writes an IMU-like stream (6 x f32 at 1 kHz, 1% injected spikes flagged
# as anomalies) into the kernel ring imu0; edgeai-sensorgen, in the
# network namespace edgeai-demo, sends load-cell packets (and unknown,
# over-rate and malformed ones) over a veth pair through the XDP filter;
# edgeaid runs two pipelines (examples/demo/edgeaid.conf) with the models
# trained at build time (examples/demo/demo.mk): an anomaly detector on
# imu0, whose results go to a result ring that edgeai-results reads and
# to JSON lines, and a regression on the network sensors. The terminal
# shows `edgeaictl top`; half-way the detector is hot-swapped for its
# version 2 (scheduled for the exact sample before the stream starts).
# At the end a summary accounts for every sample and checks the
# invariants (examples/demo/summary.py); the exit status is 1 if one
# broke. Everything is removed again (module, rings, filter, namespace,
# processes, files), also on Ctrl-C.
#
# Where the running kernel can load modules and matches the module's build
# (confirmed interactively, or DEMO_NATIVE=1), it runs natively; otherwise
# it boots Debian's 6.1 kernel with tests/vm/run and runs inside.
#
# Environment: DEMO_SECONDS (stream length), DEMO_RATE_HZ (IMU rate,
# default 1000), DEMO_IMU_BATCH (samples per synth interrupt; default 0:
# one per sample up to 1 kHz), DEMO_NATIVE=1, DEMO_KEEP=1 (keep the run
# directory), DEMO_TIMING=1 (times in the headings), O (build directory).
set -u

SRC=$(readlink -f "$(dirname "$0")/..")
B=${O:-$SRC/build}
KO=$SRC/kmod/edgeai.ko
SYNTH=$SRC/kmod/synth/edgeai_synth.ko
MODELS=$B/demo/models
SECONDS_=${DEMO_SECONDS:-30}
RATE=${DEMO_RATE_HZ:-1000}
# samples per timer tick of the synth (0: one tick per sample at 1 kHz):
# like an IMU's FIFO watermark interrupt, it trades latency for batches
IMU_BATCH=${DEMO_IMU_BATCH:-0}
# What the detector must reach (it reaches 1.000 and 1.000 in every run
# so far; the margin allows a few misses in a short run).
MIN_PRECISION=0.95
MIN_RECALL=0.95
THRESHOLD=0.5
# The load-cell model's largest error, in percent of full scale (it makes
# about 0.01; the training targets have noise of 0.5).
MAX_LOAD_ERROR=0.1

NS=edgeai-demo
DEV=demo0
PEER=demo1
ADDR=10.47.0.1
PEER_ADDR=10.47.0.2
PORT=4747
IN_RING=imu0
OUT_RING=imu-results

LOADED=0	# we loaded edgeai.ko
NET_UP=0
RING_UP=0
SYNTH_UP=0
RUN=
EAD_PID=
RES_PID=
PERF_PID=
GEN_PID=

T0=${EPOCHREALTIME/./}
say()
{
	local t=
	# DEMO_TIMING=1: seconds since the start in each heading
	[ -n "${DEMO_TIMING:-}" ] && t=$(printf '[%d.%d s] ' $(((${EPOCHREALTIME/./} - T0) / 1000000)) \
		$(((${EPOCHREALTIME/./} - T0) / 100000 % 10)))
	if [ -t 1 ]; then
		printf '\n\033[1m== %s%s\033[0m\n' "$t" "$*"
	else
		printf '\n== %s%s\n' "$t" "$*"
	fi
}

die()
{
	echo "demo: $*" >&2
	exit 1
}

ctl() { "$B/edgeaictl" "$@"; }

# reap PID SECONDS: wait for it to end by itself, then stop it.
reap()
{
	local pid=$1
	[ -n "$pid" ] || return 0
	for _ in $(seq $(($2 * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	stop "$pid" TERM 3
}

# stop PID SIGNAL SECONDS: signal it, wait for it, then SIGKILL it.
stop()
{
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -"$2" "$pid" 2>/dev/null
	for _ in $(seq $(($3 * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

cleanup()
{
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$RUN" ] && touch "$RUN/traffic.stop" 2>/dev/null
	stop "$GEN_PID" TERM 3
	stop "$PERF_PID" INT 3
	stop "$EAD_PID" TERM 10
	stop "$RES_PID" TERM 3
	GEN_PID='' PERF_PID='' EAD_PID='' RES_PID=''
	if [ $SYNTH_UP -eq 1 ] && grep -q '^edgeai_synth ' /proc/modules; then
		rmmod edgeai_synth
	fi
	SYNTH_UP=0
	if [ $RING_UP -eq 1 ]; then
		ctl ring delete $IN_RING >/dev/null 2>&1
		ctl ring delete $OUT_RING >/dev/null 2>&1	# if edgeaid died
	fi
	RING_UP=0
	if [ $NET_UP -eq 1 ]; then
		ctl bpf detach --all >/dev/null 2>&1
		rm -rf "$EDGEAI_BPF_PIN_DIR"
		ip netns del "$NS" 2>/dev/null
		ip link del dev $DEV 2>/dev/null
		echo "demo: filter detached, namespace $NS and veth $DEV removed"
	fi
	NET_UP=0
	if [ -n "$RUN" ]; then
		if [ -n "${DEMO_KEEP:-}" ]; then
			echo "demo: run directory kept: $RUN"
		else
			rm -rf "$RUN"
		fi
	fi
	RUN=
	if [ $LOADED -eq 1 ] && grep -q '^edgeai ' /proc/modules; then
		rmmod edgeai && echo "demo: unloaded edgeai"
	fi
	LOADED=0
	exit $rc
}

# The training reports that demo.mk kept (edgeaictl -j model train): one
# line per model, with what the held-out rows scored.
show_models()
{
	awk '{
		f = FILENAME; sub(/.*\//, "", f); sub(/\.train\.json$/, "", f)
		match($0, /"epochs_run":[0-9]+/); ep = substr($0, RSTART + 13, RLENGTH - 13)
		match($0, /"rows":[0-9]+/); rows = substr($0, RSTART + 7, RLENGTH - 7)
		match($0, /"validation":[{][^}]*[}]/); v = substr($0, RSTART + 14, RLENGTH - 15)
		gsub(/"/, "", v); gsub(/,/, ", ", v); gsub(/:/, " ", v); sub(/loss [^,]*, /, "", v)
		sub(/^rows /, "", v); sub(/, /, " rows: ", v)
		printf "  %-18s %5d rows, %2d epochs; held out %s\n", f ".st", rows, ep, v
	}' "$B"/demo/imu-anomaly.train.json "$B"/demo/imu-anomaly-v2.train.json \
		"$B"/demo/load-cell.train.json
}

net_up()
{
	modprobe veth 2>/dev/null
	NET_UP=1
	ip netns add "$NS" || return 1
	ip link add dev $DEV type veth peer name $PEER netns "$NS" || return 1
	ip addr add $ADDR/24 dev $DEV &&
	ip link set $DEV up &&
	ip -n "$NS" addr add $PEER_ADDR/24 dev $PEER &&
	ip -n "$NS" link set lo up &&
	ip -n "$NS" link set $PEER up || return 1
	ctl bpf attach $DEV xdp --port $PORT >/dev/null || return 1
	# load cells 101 and 102 (102 limited to 50 packets/s, burst 30);
	# 103 is allowed but misconfigured: it sends 3 values, not 4
	ctl bpf sensor add 101 --class 1 --pipeline 2 >/dev/null &&
	ctl bpf sensor add 102 --class 1 --priority 1 --pipeline 2 --rate 50 --burst 30 >/dev/null &&
	ctl bpf sensor add 103 --class 1 --pipeline 2 >/dev/null || return 1
	ctl bpf show
}

# Rounds of sensor traffic from the namespace until $RUN/traffic.stop
# exists; each send's JSON report goes to sent.jsonl.
traffic()
{
	local r=0 send
	trap 'exit 0' TERM
	send=(nsenter --net=/run/netns/"$NS" "$B/edgeai-sensorgen" send
	      --dst "$ADDR:$PORT" --iface "$PEER" --json --dtype f32)
	while [ ! -e "$RUN/traffic.stop" ]; do
		"${send[@]}" --elems 4 --seq $((r * 1000)) --rate 500 \
			--mix valid=101:100,valid=102:20,unknown=999:5,burst=102:40,badmagic=2,shortlen=101:2,iplong=1,other=2 \
			>>"$RUN/sent.jsonl" 2>>"$RUN/sent.err" || echo "demo: sensorgen failed" >&2
		"${send[@]}" --elems 3 --seq $((r * 1000)) --sensor 103 --count 2 \
			>>"$RUN/sent.jsonl" 2>>"$RUN/sent.err" || echo "demo: sensorgen failed" >&2
		r=$((r + 1))
		sleep 0.5
	done
}

SYNTH_PARAMS=/sys/module/edgeai_synth/parameters
synth_param() { cat $SYNTH_PARAMS/"$1"; }

inside()
{
	local klog_start delay deadline gen total=$((SECONDS_ * RATE))
	trap cleanup EXIT
	trap 'echo; echo "demo: interrupted, cleaning up"; exit 130' INT TERM
	export EDGEAI_BPF_PIN_DIR=/sys/fs/bpf/edgeai-demo
	[ "$SECONDS_" -ge 4 ] 2>/dev/null || die "DEMO_SECONDS=$SECONDS_: at least 4"
	for f in "$MODELS/imu-anomaly.st" "$MODELS/imu-anomaly-v2.st" "$MODELS/load-cell.st"; do
		[ -f "$f" ] || die "no $f: run make demo (it trains the models)"
	done
	klog_start=$(dmesg | wc -l)

	say "kernel $(uname -r): edgeai.ko"
	if grep -q '^edgeai ' /proc/modules; then
		echo "edgeai.ko is already loaded: using it (it stays loaded)"
	else
		LOADED=1
		insmod "$KO" || die "insmod $KO failed"
	fi
	ctl version | head -n 3
	for r in $IN_RING $OUT_RING; do
		ctl ring show "$r" >/dev/null 2>&1 && die "a ring named $r exists already; the demo leaves it alone"
	done
	[ -e /run/netns/$NS ] && die "network namespace $NS exists already"
	ip link show dev $DEV >/dev/null 2>&1 && die "an interface $DEV exists already"
	grep -q '^edgeai_synth ' /proc/modules && die "edgeai_synth is loaded already"

	RUN=$(mktemp -d "${TMPDIR:-/tmp}/edgeai-demo.XXXXXX") || die "mktemp failed"
	export EDGEAID_STATS=$RUN/stats.json EDGEAID_CONTROL=$RUN/control.sock

	say "models trained at build time by edgeaictl model train (build/demo/*.train.json)"
	show_models || die "no training reports in $B/demo"

	say "network sensors: XDP filter on $DEV, senders in namespace $NS ($PEER_ADDR)"
	net_up || die "network setup failed"

	say "edgeaid: pipelines imu (ring $IN_RING) and net (udp $ADDR:$PORT)"
	RING_UP=1
	ctl ring create $IN_RING slots 8192 dtype f32 shape 6 >/dev/null || die "ring create failed"
	sed -e "s|@RUN@|$RUN|g" -e "s|@MODELS@|$MODELS|g" \
		"$SRC/examples/demo/edgeaid.conf" >"$RUN/edgeaid.conf"
	echo "config: examples/demo/edgeaid.conf (paths filled in: $RUN/edgeaid.conf)"
	grep -E '^(\[|source|stage|model|sink|require_tag)' "$RUN/edgeaid.conf" | sed 's/^/  /'
	"$B/edgeaid" --check -c "$RUN/edgeaid.conf" || die "edgeaid --check failed"
	"$B/edgeaid" -f -c "$RUN/edgeaid.conf" >"$RUN/edgeaid.out" 2>"$RUN/edgeaid.log" &
	EAD_PID=$!
	for _ in $(seq 100); do
		grep -q 'pipeline(s) from' "$RUN/edgeaid.log" && break
		kill -0 $EAD_PID 2>/dev/null || break
		sleep 0.1
	done
	grep -q '2 pipeline(s) from' "$RUN/edgeaid.log" || { cat "$RUN/edgeaid.log"; die "edgeaid did not start"; }
	"$B/edgeai-results" -q -s --threshold $THRESHOLD $OUT_RING \
		>"$RUN/results.json" 2>"$RUN/results.err" &
	RES_PID=$!
	if command -v perf >/dev/null; then
		perf stat -x, -o "$RUN/perf.txt" -p $EAD_PID -e raw_syscalls:sys_enter \
			-e syscalls:sys_enter_io_uring_enter -e syscalls:sys_enter_ioctl \
			-e syscalls:sys_enter_write -e syscalls:sys_enter_clock_gettime \
			2>"$RUN/perf.err" &
		PERF_PID=$!
	fi
	# The hot swap, scheduled before the stream starts: edgeaid switches
	# the detector exactly after half of the IMU samples, however fast
	# or slow this machine runs the stream.
	say "hot swap at sample $((total / 2)) of $total: edgeaictl pipeline reload imu $MODELS/imu-anomaly-v2.st --at-sample $((total / 2))"
	ctl -j pipeline reload imu "$MODELS/imu-anomaly-v2.st" --at-sample $((total / 2)) \
		>"$RUN/reload.json" 2>&1 || die "the reload failed: $(cat "$RUN/reload.json")"
	cat "$RUN/reload.json"
	traffic &
	GEN_PID=$!
	SYNTH_UP=1	# first: a Ctrl-C during insmod is seen after it
	insmod "$SYNTH" ring=$IN_RING create=0 rate_hz="$RATE" channels=6 waveform=imu \
		anomaly_ppm=10000 seed=42 max_samples=$total batch="$IMU_BATCH" ||
		die "insmod edgeai_synth failed"
	echo "edgeai_synth.ko: $total samples at $RATE Hz into $IN_RING (batch=$IMU_BATCH); edgeai-results reads $OUT_RING"

	# top, a frame at a time, until the synth is done
	if [ -t 1 ]; then
		delay=1
	else
		delay=$((SECONDS_ / 6))
		[ $delay -ge 1 ] || delay=1
	fi
	say "edgeaictl top (every $delay s; rates per second, drops by reason, latency)"
	deadline=$((${EPOCHREALTIME%.*} + SECONDS_ * 3 + 60))
	while [ "${EPOCHREALTIME%.*}" -lt $deadline ]; do
		read -r gen <$SYNTH_PARAMS/generated
		[ "$gen" -ge $total ] && break
		ctl top -d $delay -n 1 || die "edgeaictl top failed"
	done
	[ "$gen" -ge $total ] || die "the synth did not finish in time"

	say "stopping: the senders, then edgeaid (it drains)"
	touch "$RUN/traffic.stop"
	wait $GEN_PID
	GEN_PID=
	for _ in $(seq 100); do
		ctl -j ring show $IN_RING >"$RUN/ring.json" || break
		grep -q '"in_ring":0,' "$RUN/ring.json" && break
		sleep 0.1
	done
	sleep 1	# the last datagrams through the filter
	printf '{"generated":%s,"dropped":%s,"anomalies":%s}\n' "$(synth_param generated)" \
		"$(synth_param dropped)" "$(synth_param anomalies)" >"$RUN/synth.json"
	ctl -j bpf stats >"$RUN/bpf.json"
	stop "$EAD_PID" TERM 20
	EAD_PID=
	grep -q 'stopped cleanly' "$RUN/edgeaid.log" || { cat "$RUN/edgeaid.log"; die "edgeaid did not stop cleanly"; }
	stop "$PERF_PID" INT 3
	PERF_PID=
	reap "$RES_PID" 10	# it ends by itself once the result ring is gone
	RES_PID=
	ctl -j ring show $IN_RING >"$RUN/ring.json"
	rmmod edgeai_synth && SYNTH_UP=0
	echo "edgeaid's log:"
	sed 's/^/  /' "$RUN/edgeaid.log"
	dmesg | tail -n +$((klog_start + 1)) >"$RUN/klog.txt"
	printf '{"seconds":%s,"rate_hz":%s,"port":%s,"min_precision":%s,"min_recall":%s,"min_anomalies":%s,"max_load_error":%s}\n' \
		"$SECONDS_" "$RATE" $PORT $MIN_PRECISION $MIN_RECALL 5 $MAX_LOAD_ERROR \
		>"$RUN/params.json"
	/usr/bin/python3 "$SRC/examples/demo/summary.py" "$RUN"
}

can_run_native()
{
	[ "$(id -u)" -eq 0 ] || return 1
	[ "$(modinfo -F vermagic "$KO" 2>/dev/null | cut -d' ' -f1)" = "$(uname -r)" ] || return 1
	[ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null || echo 1)" = 0 ] || return 1
}

case "${1:-}" in
--inside)
	inside
	exit
	;;
-h|--help)
	sed -n '4,/^set -u/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac

[ -f "$KO" ] || { echo "demo: $KO not built: run make" >&2; exit 1; }
[ -f "$MODELS/imu-anomaly.st" ] || { echo "demo: no models in $MODELS: run make demo" >&2; exit 1; }
if can_run_native; then
	native=${DEMO_NATIVE:-}
	if [ -z "$native" ] && [ -t 0 ]; then
		read -r -p "Load edgeai.ko into the running kernel $(uname -r)? [y/N] " a
		case "$a" in [yY]*) native=1 ;; esac
	fi
	if [ "$native" = 1 ]; then
		inside
		exit
	fi
fi
kver=$(modinfo -F vermagic "$KO" | cut -d' ' -f1)
say "booting Debian's $kver kernel in QEMU (tests/vm/run)"
env_args=(--env "DEMO_SECONDS=$SECONDS_" --env "DEMO_RATE_HZ=$RATE" --env "DEMO_IMU_BATCH=$IMU_BATCH")
[ -n "${O:-}" ] && env_args+=(--env "O=$O")
[ -n "${DEMO_KEEP:-}" ] && env_args+=(--env "DEMO_KEEP=$DEMO_KEEP")
[ -n "${DEMO_TIMING:-}" ] && env_args+=(--env "DEMO_TIMING=$DEMO_TIMING")
# The emulated machine's default clocksource (hpet) has no vDSO: every
# clock_gettime() would be a syscall there, unlike on real hardware, and
# the syscall count would measure the emulator. QEMU's TSC is a fine
# clocksource for the demo.
exec "$SRC/tests/vm/run" --kernel "/boot/vmlinuz-$kver" --timeout $((SECONDS_ * 3 + 300)) \
	--append "clocksource=tsc tsc=reliable" \
	"${env_args[@]}" -- "$SRC/scripts/demo.sh" --inside
