#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaictl stats and top without root or module: every part absent is
# shown as such with exit 0 (text and the JSON shape); a fake edgeaid
# stats file with a live pid is merged, one with a dead pid is not; the
# Prometheus output parses (metric grammar, HELP and TYPE once per metric,
# no duplicate series); top -n prints plain frames with rates; usage
# errors exit 2 (JSON under -j).
set -u
. "$EDGEAI_SRC/tests/lib.sh"

CTL=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaictl
[ -x "$CTL" ] || t_fail "no $CTL: run make tests"
DIR=$(mktemp -d)
trap 'tmux -S "$DIR/tmux.sock" kill-server 2>/dev/null; rm -rf "$DIR" "$T_OUT" "$T_ERR"' EXIT
# A pin directory that cannot exist and no stats file: filter and runtime
# absent whatever the host runs. The kernel part is whatever it is here.
export EDGEAI_BPF_PIN_DIR=$DIR/no-bpffs/edgeai
export EDGEAID_STATS=$DIR/none.json

expect_rc 0 "$CTL" stats
grep -q '^filter: not loaded' "$T_OUT" || t_fail "filter not shown as not loaded"
grep -q '^runtime: not running' "$T_OUT" || t_fail "runtime not shown as not running"
grep -q '^kernel: ' "$T_OUT" || t_fail "no kernel part"
[ -s "$T_ERR" ] && t_fail "stderr: $(cat "$T_ERR")"
expect_rc 0 "$CTL" -j stats
/usr/bin/python3 - "$T_OUT" <<'PY' || t_fail "JSON shape with nothing running"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"kernel", "filter", "runtime"}, d
assert isinstance(d["kernel"]["loaded"], bool)
if d["kernel"]["loaded"]:
    assert isinstance(d["kernel"]["rings"], list)
assert d["filter"]["loaded"] is False, d
assert d["runtime"]["running"] is False, d
assert "pipelines" not in d["runtime"]
PY
# Prefixes: "sta" is stats, "t" is top.
expect_rc 0 "$CTL" -p sta
json_get "$T_OUT" runtime.running | grep -qx False || t_fail "prefix 'sta'"

# A runtime stats file of a live process ($$) is merged.
cat >"$DIR/stats.json" <<JSON
{"pid": $$, "started": 1764414000, "pipelines": [
 {"name": "imu", "source": "ring:imu0", "model": "imu.eam",
  "model_version": "3", "state": "running", "error": null,
  "samples_in": 1000, "samples_out": 990, "drops": {"stale": 4, "queue_full": 6},
  "batches": 16, "latency_ns": {"p50": 12000, "p90": 25000, "p99": 80000,
  "p999": 150000, "max": 2100000, "count": 990}},
 {"name": "cam \"b\"", "source": "udp:9000", "model": "x.eam",
  "model_version": "1", "state": "disabled", "error": "model x.eam: No such file",
  "samples_in": 0, "samples_out": 0, "drops": {}, "batches": 0,
  "latency_ns": {"p50": 0, "p90": 0, "p99": 0, "p999": 0, "max": 0, "count": 0}}]}
JSON
export EDGEAID_STATS=$DIR/stats.json
expect_rc 0 "$CTL" stats
grep -q "^runtime: running, pid $$, 2 pipelines" "$T_OUT" || t_fail "runtime not merged: $(cat "$T_OUT")"
grep -qE '^  imu +running +1000 +990 +10 +16 +12\.0us +25\.0us +80\.0us +150\.0us +2\.1ms' "$T_OUT" ||
	t_fail "pipeline row: $(cat "$T_OUT")"
grep -q 'error: model x.eam: No such file' "$T_OUT" || t_fail "pipeline error not shown"
expect_rc 0 "$CTL" -j stats
/usr/bin/python3 - "$T_OUT" "$$" <<'PY' || t_fail "runtime JSON"
import json, sys
r = json.load(open(sys.argv[1]))["runtime"]
assert r["running"] is True and r["pid"] == int(sys.argv[2]), r
p = r["pipelines"][0]
assert p["name"] == "imu" and p["samples_in"] == 1000 and p["samples_out"] == 990
assert p["drops"] == {"stale": 4, "queue_full": 6}, p
assert p["latency_ns"] == {"p50": 12000, "p90": 25000, "p99": 80000,
                           "p999": 150000, "max": 2100000, "count": 990}, p
assert r["pipelines"][1]["state"] == "disabled"
assert r["pipelines"][1]["error"].startswith("model x.eam")
PY
# --runtime-stats overrides the environment.
expect_rc 0 "$CTL" -j stats --runtime-stats "$DIR/none.json"
json_get "$T_OUT" runtime.running | grep -qx False || t_fail "--runtime-stats ignored"

# A dead pid or a broken file: not running, still exit 0.
sleep 0 & dead=$!
wait $dead
sed "s/\"pid\": $$/\"pid\": $dead/" "$DIR/stats.json" >"$DIR/dead.json"
expect_rc 0 "$CTL" stats --runtime-stats "$DIR/dead.json"
grep -q "^runtime: not running (pid $dead .*not alive)" "$T_OUT" || t_fail "dead pid: $(cat "$T_OUT")"
echo '{"pid": ' >"$DIR/bad.json"
expect_rc 0 "$CTL" -j stats --runtime-stats "$DIR/bad.json"
json_get "$T_OUT" runtime.reason | grep -q "not valid JSON" || t_fail "broken file"

# Prometheus: the exposition grammar, HELP and TYPE once, no duplicates.
expect_rc 0 "$CTL" stats --prometheus
cp "$T_OUT" "$DIR/prom"
/usr/bin/python3 "$EDGEAI_SRC/tests/unit/prom_check.py" "$DIR/prom" ||
	t_fail "Prometheus output does not parse"
grep -qx 'edgeaid_running 1' "$DIR/prom" || t_fail "edgeaid_running"
grep -qx 'edgeai_filter_loaded 0' "$DIR/prom" || t_fail "edgeai_filter_loaded"
grep -qx 'edgeai_pipeline_samples_in_total{pipeline="imu"} 1000' "$DIR/prom" || t_fail "samples_in"
grep -qx 'edgeai_pipeline_drops_total{pipeline="imu",reason="queue_full"} 6' "$DIR/prom" || t_fail "drops by reason"
grep -qx 'edgeai_pipeline_latency_seconds{pipeline="imu",quantile="0.99"} 8e-05' "$DIR/prom" || t_fail "quantile"
grep -qx 'edgeai_pipeline_up{pipeline="cam \\"b\\""} 0' "$DIR/prom" || t_fail "label escaping"
# -j does not change the format.
expect_rc 0 "$CTL" -j stats --prom
cmp -s "$T_OUT" "$DIR/prom" || t_fail "-j changed --prometheus output"

# top: plain frames when stdout is not a terminal, rates per second.
cp "$DIR/stats.json" "$DIR/live.json"
# 600 more samples land during the first interval; rate x interval (the
# one top itself reports, "every X s", however a loaded host stretched
# it) over the two frames must make 600.
( sleep 0.2; sed 's/"samples_in": 1000/"samples_in": 1600/' "$DIR/stats.json" >"$DIR/live.tmp" &&
  mv "$DIR/live.tmp" "$DIR/live.json" ) &
expect_rc 0 "$CTL" top -n 2 -d 1 --runtime-stats "$DIR/live.json"
wait
[ "$(grep -c '^edgeaictl top ' "$T_OUT")" = 2 ] || t_fail "top -n 2: $(cat "$T_OUT")"
grep -q $'\033' "$T_OUT" && t_fail "escape sequences without a terminal"
grep -q '^  PIPELINE  *STATE  *IN/S  *OUT/S  *DROPS/S  *P50' "$T_OUT" || t_fail "top header"
# samples/s x the frame's interval, summed over the frames: 600
awk '/^edgeaictl top .* every [0-9.]+ s$/ { e = $(NF - 1) }
	/^  imu +running / { n += $3 * e; f++ }
	END { exit !(f == 2 && n >= 540 && n <= 660) }' "$T_OUT" ||
	t_fail "the samples/s rates do not add up to 600 samples: $(cat "$T_OUT")"
grep -q '^filter: not loaded' "$T_OUT" || t_fail "top filter part"
expect_rc 0 "$CTL" -j t -n 1 -d 0.1
json_get "$T_OUT" runtime.pipelines.0.latency_ns.p99 | grep -qx 80000 || t_fail "top -j"
# SIGTERM ends it with status 0.
"$CTL" top -d 0.2 >/dev/null 2>&1 &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid || t_fail "top ended by SIGTERM: status $?"

# On a terminal (tmux): redrawn in place, rates change, q quits with
# status 0 and the terminal's modes are restored. scripts/deps.sh
# installs tmux: without it this part cannot be shown, so it fails.
command -v tmux >/dev/null || t_fail "no tmux: run scripts/deps.sh"
{
	sock=$DIR/tmux.sock
	cp "$DIR/stats.json" "$DIR/tty.json"
	cat >"$DIR/tty.sh" <<SH
stty -a >"$DIR/stty.before"
"$CTL" top -d 0.3 --runtime-stats "$DIR/tty.json"
echo \$? >"$DIR/top.rc"
stty -a >"$DIR/stty.after"
sleep 30
SH
	tmux -S "$sock" -f /dev/null new-session -d -x 160 -y 40 "bash $DIR/tty.sh" ||
		t_fail "tmux"
	n=1000
	for _ in $(seq 30); do
		n=$((n + 300))
		sed "s/\"samples_in\": 1000/\"samples_in\": $n/" "$DIR/stats.json" >"$DIR/tty.tmp"
		mv "$DIR/tty.tmp" "$DIR/tty.json"
		sleep 0.1
		tmux -S "$sock" capture-pane -p >"$DIR/pane" 2>/dev/null
		grep -qE '^  imu +running +[1-9][0-9]* ' "$DIR/pane" && break
	done
	grep -q '(q quits)' "$DIR/pane" || t_fail "top on a tty: $(cat "$DIR/pane")"
	grep -qE '^  imu +running +[1-9][0-9]* ' "$DIR/pane" ||
		t_fail "no changing rate on the tty: $(cat "$DIR/pane")"
	[ "$(grep -c '^edgeaictl top ' "$DIR/pane")" = 1 ] || t_fail "not redrawn in place"
	tmux -S "$sock" send-keys q
	wait_for_line "$DIR/top.rc" . 5 || t_fail "q did not end top"
	[ "$(cat "$DIR/top.rc")" = 0 ] || t_fail "top after q: status $(cat "$DIR/top.rc")"
	wait_for_line "$DIR/stty.after" . 5 || t_fail "no stty after"
	cmp -s "$DIR/stty.before" "$DIR/stty.after" || t_fail "terminal modes not restored"
	tmux -S "$sock" kill-server 2>/dev/null
}

# Help and usage errors.
expect_rc 0 "$CTL" stats help
grep -q 'Usage: .* stats \[--prometheus\]' "$T_OUT" || t_fail "stats help"
expect_rc 0 "$CTL" top help
grep -q -- '-n, --iterations N' "$T_OUT" || t_fail "top help"
expect_rc 0 "$CTL" help
grep -q '^  stats ' "$T_OUT" && grep -q '^  top ' "$T_OUT" || t_fail "help lists stats and top"
expect_rc 2 "$CTL" stats --bogus
expect_rc 2 "$CTL" stats extra
expect_rc 2 "$CTL" stats --runtime-stats
expect_rc 2 "$CTL" -j stats --bogus
json_get "$T_OUT" error | grep -q "usage: stats" || t_fail "JSON usage error"
expect_rc 2 "$CTL" top -n 0
expect_rc 2 "$CTL" top -n x
expect_rc 2 "$CTL" top -d 0
expect_rc 2 "$CTL" top -d 1s
expect_rc 2 "$CTL" -j top extra
json_get "$T_OUT" error | grep -q "usage: top" || t_fail "JSON top usage error"
t_pass
