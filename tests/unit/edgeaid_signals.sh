#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgeaid: SIGHUP keeps it running, SIGTERM stops it cleanly with status 0;
# bad usage exits 2, a missing configuration file 1.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

D=${EDGEAI_BUILD_ASAN:-$EDGEAI_BUILD}/edgeaid
[ -x "$D" ] || t_fail "no $D: run make tests"

expect_rc 2 "$D" --no-such-option
expect_rc 2 "$D" extra-argument
expect_rc 0 "$D" --version
grep -q '^edgeaid [0-9]' "$T_OUT" || t_fail "--version prints no version"

log=$(mktemp)
conf=$(mktemp)
printf '[global]\nstats = %s.stats\n' "$conf" >"$conf"
expect_rc 1 "$D" -f -c "$conf.missing"
grep -q "$conf.missing: No such file" "$T_ERR" || t_fail "missing config not reported"
trap 'kill -9 $pid 2>/dev/null; rm -f "$log" "$conf" "$conf.stats"' EXIT
EDGEAI_DEV=/nonexistent/dev "$D" -f -v -c "$conf" 2>"$log" &
pid=$!
wait_for_line "$log" "event loop ready" 10 || t_fail "edgeaid did not start: $(cat "$log")"
grep -q "no kernel module" "$log" || t_fail "missing module not reported"

kill -HUP $pid
wait_for_line "$log" "SIGHUP" 5 || t_fail "SIGHUP not handled"
kill -0 $pid 2>/dev/null || t_fail "edgeaid died on SIGHUP"

kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && t_fail "edgeaid still running 5 s after SIGTERM"
wait $pid
rc=$?
[ $rc -eq 0 ] || t_fail "exit status after SIGTERM: expected 0, got $rc: $(cat "$log")"
grep -q "stopped cleanly" "$log" || t_fail "no clean-stop message"
t_pass
