#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016  # '$defs' in schema references is literal
# edgeaictl -j output matches the JSON Schemas of docs/schema/ (docs/json.md),
# without root or module: the schemas themselves are valid draft 2020-12
# with every $ref resolving; stats, top, version, bpf show/stats/sensor
# list with every part absent; the runtime part from a fake stats file
# (live pid, dead pid, broken file, "started" as a string); pipeline
# list/show/reload against a running edgeaid (a running and a disabled
# pipeline); error objects (usage: 2, failure: 1), compact and pretty.
# -j is one line, -p the same document indented. And the check can fail:
# documents with an extra, a missing or a mistyped member are rejected.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

CTL=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaictl
VALIDATE=$EDGEAI_SRC/tests/lib/json_validate.py
[ -x "$CTL" ] || t_fail "no $CTL: run make tests"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
	t_fail "no python3-jsonschema: run scripts/deps.sh"

# Nothing of the host's: no filter pins, no edgeaid, no device.
export EDGEAI_BPF_PIN_DIR=$W/no-bpffs/edgeai
export EDGEAID_STATS=$W/none.json EDGEAID_CONTROL=$W/none.sock
export EDGEAI_DEV=$W/no-dev

validate()	# validate [--lines] SCHEMA#/$defs/NAME FILE: or fail
{
	/usr/bin/python3 "$VALIDATE" "$@" ||
		t_fail "does not match ${*: -2:1}: $(head -c 2000 "${*: -1}")"
}

# jcheck STATUS SCHEMA#/$defs/NAME ARGS...: edgeaictl -j ARGS exits STATUS
# with one line on stdout matching the schema and nothing on stderr; -p
# prints the same document, indented. Leaves -j's output in $T_OUT.
jcheck()
{
	local rc=$1 ref=$2
	shift 2
	expect_rc "$rc" "$CTL" -p "$@"
	[ -s "$T_ERR" ] && t_fail "'-p $*' wrote to stderr: $(cat "$T_ERR")"
	cp "$T_OUT" "$W/pretty.json"
	expect_rc "$rc" "$CTL" -j "$@"
	[ -s "$T_ERR" ] && t_fail "'-j $*' wrote to stderr: $(cat "$T_ERR")"
	/usr/bin/python3 "$VALIDATE" --pair "$ref" "$T_OUT" "$W/pretty.json" ||
		t_fail "'-j $*' or '-p $*' does not match $ref: $(head -c 2000 "$T_OUT")"
}

# ---- the schemas themselves ----
/usr/bin/python3 "$VALIDATE" --check || t_fail "docs/schema/ is not valid"
for f in stats ring bpf version pipeline monitor error; do
	[ -f "$EDGEAI_SRC/docs/schema/$f.json" ] || t_fail "no docs/schema/$f.json"
	grep -q "schema/$f.json" "$EDGEAI_SRC/docs/json.md" || t_fail "docs/json.md does not list $f.json"
done

# ---- every part absent: status 0, the short shapes ----
jcheck 0 'stats.json#/$defs/stats' stats
/usr/bin/python3 - "$T_OUT" <<'PY' || t_fail "stats with nothing running: $(cat "$T_OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["filter"] == {"loaded": False, "pin_dir": d["filter"]["pin_dir"]}, d
assert d["runtime"]["running"] is False and "reason" in d["runtime"], d
PY
jcheck 0 'version.json' version
[ "$(json_get "$T_OUT" module.loaded)" = False ] || t_fail "module loaded through $EDGEAI_DEV?"
EDGEAI_DEV=/dev/null jcheck 0 'version.json' version
json_get "$T_OUT" module.reason | grep -q "Inappropriate ioctl" || t_fail "reason: $(cat "$T_OUT")"
expect_rc 0 "$CTL" -j -V
validate 'version.json' "$T_OUT"
jcheck 0 'bpf.json#/$defs/show' bpf show
jcheck 0 'bpf.json#/$defs/stats' bpf stats
jcheck 0 'bpf.json#/$defs/sensor_list' bpf sensor list
jcheck 0 'pipeline.json#/$defs/list' pipeline list
jcheck 1 'error.json' pipeline show p1
expect_rc 0 "$CTL" -j top -n 2 -d 0.1
validate --lines --min 2 'stats.json#/$defs/top' "$T_OUT"

# ---- errors: JSON on stdout, status 2 for usage, 1 for failures ----
jcheck 2 'error.json'
jcheck 2 'error.json' --bogus
jcheck 2 'error.json' bogus
jcheck 2 'error.json' ring bogus
jcheck 2 'error.json' stats --bogus
jcheck 2 'error.json' top -n 0
jcheck 2 'error.json' version extra
jcheck 2 'error.json' pipeline show
jcheck 2 'error.json' bpf sensor add 0
jcheck 2 'error.json' monitor extra
jcheck 1 'error.json' ring list
json_get "$T_OUT" error | grep -q "cannot open the edgeai device" ||
	t_fail "ring list: $(cat "$T_OUT")"
jcheck 1 'error.json' pipeline reload p1
json_get "$T_OUT" error | grep -q "control socket" || t_fail "reload: $(cat "$T_OUT")"

# ---- the runtime part from a fake stats file ----
cat >"$W/fake.json" <<JSON
{"pid": $$, "started": 1764414000, "workers": 1, "pipelines": [
 {"name": "imu", "source": "ring:imu0", "model": "/m/imu.st", "model_version": "3",
  "model_gen": 2, "state": "running", "error": null, "worker": 0, "cpu": -1,
  "samples_in": 1000, "samples_out": 990, "drops": {"dim": 4, "ring_full": 6},
  "batches": 16, "latency_ns": {"p50": 12000, "p90": 25000, "p99": 80000,
  "p999": 150000, "max": 2100000, "mean": 9000, "count": 990},
  "e2e_latency_ns": {"p50": 40000, "p90": 50000, "p99": 90000,
  "p999": 160000, "max": 2200000, "mean": 30000, "count": 990}},
 {"name": "cam", "source": "udp:0.0.0.0:9000", "model": "/m/x.st",
  "model_version": null, "state": "disabled", "error": "model x.st: No such file",
  "samples_in": 0, "samples_out": 0, "drops": {}, "batches": 0,
  "latency_ns": {"p50": 0, "p90": 0, "p99": 0, "p999": 0, "max": 0, "count": 0}},
 {"name": "old", "source": "udp:0.0.0.0:9001", "model": "/m/y.st",
  "model_version": "1", "state": "waiting", "samples_in": 0, "samples_out": 0,
  "batches": 0}]}
JSON
export EDGEAID_STATS=$W/fake.json
jcheck 0 'stats.json#/$defs/stats' stats
/usr/bin/python3 - "$T_OUT" "$$" <<'PY' || t_fail "runtime part: $(cat "$T_OUT")"
import json, sys
r = json.load(open(sys.argv[1]))["runtime"]
assert r["running"] is True and r["pid"] == int(sys.argv[2]) and r["started"] == 1764414000, r
p = {x["name"]: x for x in r["pipelines"]}
assert p["imu"]["e2e_latency_ns"]["p99"] == 90000 and "error" not in p["imu"], p
assert p["cam"]["error"].startswith("model x.st") and p["cam"]["model_version"] == "", p
# members the file lacks are zeros, not absent
assert p["old"]["drops"] == {} and p["old"]["latency_ns"]["count"] == 0, p
PY
jcheck 0 'pipeline.json#/$defs/list' pipeline list
jcheck 0 'pipeline.json#/$defs/show' pipeline show cam
[ "$(json_get "$T_OUT" runtime.pipelines.0.name)" = cam ] || t_fail "show cam: $(cat "$T_OUT")"
jcheck 1 'error.json' pipeline show nosuch
expect_rc 0 "$CTL" -j top -n 1 -d 0.1
validate --lines 'stats.json#/$defs/top' "$T_OUT"
[ "$(json_get "$T_OUT" runtime.running)" = True ] || t_fail "top runtime: $(cat "$T_OUT")"
# "started" is copied as the file has it: a string stays a string.
sed 's/"started": 1764414000/"started": "2025-11-29T12:00:00Z"/' "$W/fake.json" >"$W/str.json"
jcheck 0 'stats.json#/$defs/stats' stats --runtime-stats "$W/str.json"
[ "$(json_get "$T_OUT" runtime.started)" = 2025-11-29T12:00:00Z ] ||
	t_fail "started: $(cat "$T_OUT")"
# A dead pid and a broken file: not running, with the reason.
sleep 0 & dead=$!
wait $dead
sed "s/\"pid\": $$/\"pid\": $dead/" "$W/fake.json" >"$W/dead.json"
jcheck 0 'stats.json#/$defs/stats' stats --runtime-stats "$W/dead.json"
json_get "$T_OUT" runtime.reason | grep -q "not alive" || t_fail "dead pid: $(cat "$T_OUT")"
echo '{"pid": ' >"$W/bad.json"
EDGEAID_STATS=$W/bad.json jcheck 0 'pipeline.json#/$defs/list' pipeline list
json_get "$T_OUT" runtime.reason | grep -q "not valid JSON" || t_fail "broken file: $(cat "$T_OUT")"

# ---- a running edgeaid: one running pipeline, one disabled ----
"$MODEL" write "$W/a.st" --in 4 --seed 3 --version A || t_fail "model A"
"$MODEL" write "$W/b.st" --in 4 --seed 4 --version B || t_fail "model B"
"$MODEL" write "$W/five.st" --in 5 --seed 4 --version F || t_fail "model F"
{
	printf '[global]\nstats = %s/stats.json\ncontrol = %s/ctl.sock\n\n' "$W" "$W"
	pipeline_conf p1 "$W/a.st" "jsonl:$W/out.jsonl"
	pipeline_conf p2 "$W/missing.st" "jsonl:$W/out2.jsonl"
} >"$W/c.conf"
ead_start "$W/c.conf"
export EDGEAID_STATS=$W/stats.json EDGEAID_CONTROL=$W/ctl.sock
send "$(ead_port p1)" 7 50
wait_lines "$W/out.jsonl" 50 10 || t_fail "no results"
for _ in $(seq 50); do
	grep -q '"samples_out":50,' "$W/stats.json" 2>/dev/null && break
	sleep 0.1
done
grep -q '"samples_out":50,' "$W/stats.json" || t_fail "stats file: $(cat "$W/stats.json")"
jcheck 0 'pipeline.json#/$defs/list' pipeline list
/usr/bin/python3 - "$T_OUT" <<'PY' || t_fail "pipeline list: $(cat "$T_OUT")"
import json, sys
r = json.load(open(sys.argv[1]))["runtime"]
p = {x["name"]: x for x in r["pipelines"]}
assert r["running"] is True and isinstance(r["started"], int), r
assert p["p1"]["state"] == "running" and p["p1"]["samples_out"] == 50, p
assert p["p1"]["latency_ns"]["count"] == 50 and p["p1"]["model_version"] == "A", p
assert p["p2"]["state"] == "disabled" and "missing.st" in p["p2"]["error"], p
PY
jcheck 0 'pipeline.json#/$defs/show' pipeline show p1
jcheck 0 'stats.json#/$defs/stats' stats
jcheck 1 'error.json' pipeline show nosuch
expect_rc 0 "$CTL" -j top -n 1 -d 0.2
validate --lines 'stats.json#/$defs/top' "$T_OUT"
expect_rc 0 "$CTL" -j pipeline reload p1 "$W/b.st"
validate --lines 'pipeline.json#/$defs/reload' "$T_OUT"
[ "$(json_get "$T_OUT" model)" = "$W/b.st" ] || t_fail "reload: $(cat "$T_OUT")"
expect_rc 0 "$CTL" -p pipeline reload p1
validate 'pipeline.json#/$defs/reload' "$T_OUT"
[ "$(json_get "$T_OUT" model_gen)" = 3 ] || t_fail "reload without MODEL: $(cat "$T_OUT")"
expect_rc 0 "$CTL" -j pipeline reload p1 --at-sample 1000000
validate --lines 'pipeline.json#/$defs/reload' "$T_OUT"
[ "$(json_get "$T_OUT" at_sample)" = 1000000 ] || t_fail "reload --at-sample: $(cat "$T_OUT")"
jcheck 1 'error.json' pipeline reload p1 --at-sample 1
json_get "$T_OUT" error | grep -q "at_sample 1 is past" || t_fail "past at_sample: $(cat "$T_OUT")"
jcheck 1 'error.json' pipeline reload p1 "$W/five.st"
json_get "$T_OUT" error | grep -q "maps 5 inputs" || t_fail "refused reload: $(cat "$T_OUT")"
jcheck 1 'error.json' pipeline reload nosuch
ead_stop

# ---- the check can fail: drift is caught ----
expect_rc 0 "$CTL" -j stats --runtime-stats "$W/fake.json"
cp "$T_OUT" "$W/good.json"
validate --lines 'stats.json#/$defs/stats' "$W/good.json"
/usr/bin/python3 - "$W/good.json" "$W" <<'PY' || t_fail "cannot write the drifted documents"
import copy, json, sys
good = json.load(open(sys.argv[1]))
def drift(name, f):
    d = copy.deepcopy(good)
    f(d)
    json.dump(d, open("%s/drift-%s.json" % (sys.argv[2], name), "w"))
drift("extra-top", lambda d: d.update(bogus=1))
drift("extra-pipeline", lambda d: d["runtime"]["pipelines"][0].update(worker=0))
drift("missing", lambda d: d["runtime"]["pipelines"][0].pop("samples_in"))
drift("type", lambda d: d["runtime"].update(pid=str(d["runtime"]["pid"])))
drift("negative", lambda d: d["runtime"]["pipelines"][0].update(batches=-1))
drift("latency", lambda d: d["runtime"]["pipelines"][0]["latency_ns"].update(mean=1))
drift("state", lambda d: d["runtime"]["pipelines"][0].update(state="paused"))
drift("mixed", lambda d: d["filter"].update(attachments=0))
drift("kernel-extra", lambda d: d["kernel"].update(bogus=0))
PY
for f in "$W"/drift-*.json; do
	/usr/bin/python3 "$VALIDATE" 'stats.json#/$defs/stats' "$f" 2>"$W/why" &&
		t_fail "$(basename "$f") passed the schema: $(cat "$f")"
	grep -q '\$' "$W/why" || t_fail "no JSON path in the message: $(cat "$W/why")"
done
printf '{"time":"2025-11-29 12:00:00","event":"ring-created","id":1,"name":"a"}\n' >"$W/ev.json"
/usr/bin/python3 "$VALIDATE" --lines monitor.json "$W/ev.json" 2>/dev/null &&
	t_fail "a monitor event with a bad time passed"
printf '{"error":"x"}\n{"error":"y"' >"$W/two.json"
/usr/bin/python3 "$VALIDATE" --lines error.json "$W/two.json" 2>/dev/null &&
	t_fail "a truncated JSON line passed"
printf '{"error":"x","status":1}\n' >"$W/err.json"
/usr/bin/python3 "$VALIDATE" error.json "$W/err.json" 2>/dev/null &&
	t_fail "an error object with an extra member passed"
# --batch (what the VM test uses): all good passes, one bad entry fails.
printf '{"error":"x"}\n{"error":"y"}\n' >"$W/errs.json"
printf '%s\n' "doc 'stats.json#/\$defs/stats' $W/good.json" \
	"lines=2 error.json $W/errs.json" "stream=2 error.json $W/errs.json" >"$W/batch"
/usr/bin/python3 "$VALIDATE" --batch "$W/batch" || t_fail "--batch of good documents failed"
echo "lines=3 error.json $W/errs.json" >>"$W/batch"
/usr/bin/python3 "$VALIDATE" --batch "$W/batch" 2>/dev/null &&
	t_fail "--batch: too few lines passed"
printf '%s\n' "doc 'stats.json#/\$defs/stats' $W/drift-missing.json" >"$W/batch"
/usr/bin/python3 "$VALIDATE" --batch "$W/batch" 2>/dev/null &&
	t_fail "--batch: a drifted document passed"
t_pass
