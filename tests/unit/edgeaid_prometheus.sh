#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid's optional Prometheus endpoint ([global] prometheus): GET
# /metrics answers 200 with the text exposition format - every line
# parses (tests/unit/prom_check.py) - carrying this daemon's pipeline
# counters as edgeaictl stats --prometheus prints them; other paths get
# 404, other methods 405; a bad address is a config error naming the line.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
. "$EDGEAI_SRC/tests/edgeaid/lib.sh"

"$MODEL" write "$W/m.st" --in 4 --seed 3 || t_fail "cannot write the model"
{
	printf '[global]\nstats = %s/stats.json\ncontrol = none\nprometheus = 127.0.0.1:0\n\n' "$W"
	pipeline_conf p1 "$W/m.st" "jsonl:$W/out.jsonl"
} >"$W/c.conf"
ead_start "$W/c.conf"
mport=$(sed -n 's/.*Prometheus metrics on .*(port \([0-9]*\),.*/\1/p' "$W/log")
[ -n "$mport" ] || t_fail "no metrics port: $(cat "$W/log")"
send "$(ead_port p1)" 7 50
wait_lines "$W/out.jsonl" 50 10 || t_fail "no results"
sleep 1.3
/usr/bin/python3 - "$mport" "$W" "$EDGEAI_SRC" <<'PY' || t_fail "the endpoint is wrong"
import re, subprocess, sys, urllib.error, urllib.request
port, w, src = sys.argv[1], sys.argv[2], sys.argv[3]
url = "http://127.0.0.1:%s" % port
r = urllib.request.urlopen(url + "/metrics", timeout=10)
assert r.status == 200, r.status
assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
body = r.read().decode()
open(w + "/prom", "w").write(body)
subprocess.run(["/usr/bin/python3", src + "/tests/unit/prom_check.py", w + "/prom"], check=True)
m = re.search(r'^edgeai_pipeline_samples_in_total\{pipeline="p1"\} (\d+)$', body, re.M)
assert m and int(m.group(1)) == 50, "samples_in of p1 not 50"
for path, code in (("/", 404), ("/metricsx", 404)):
    try:
        urllib.request.urlopen(url + path, timeout=10)
        assert False, path
    except urllib.error.HTTPError as e:
        assert e.code == code, (path, e.code)
try:
    urllib.request.urlopen(urllib.request.Request(url + "/metrics", data=b"x"), timeout=10)
    assert False, "POST"
except urllib.error.HTTPError as e:
    assert e.code == 405, e.code
print("ok: /metrics parses, p1 samples_in 50; 404 and 405 elsewhere")
PY
ead_stop

printf '[global]\nprometheus = nowhere\n' >"$W/bad.conf"
expect_rc 1 "$D" --check -c "$W/bad.conf"
grep -q "bad.conf:2: \[global\] prometheus = nowhere: expected ADDR:PORT" "$T_ERR" ||
	t_fail "no message for a bad address: $(cat "$T_ERR")"
t_pass
