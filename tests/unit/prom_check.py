#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check a Prometheus text exposition (0.0.4) file the way promtool would:
every sample line matches the metric grammar, every metric has one HELP and
one TYPE (HELP first) before its samples, counters end in _total (or
_count), and no series appears twice. Used by tests/unit/edgeaictl_stats.sh
and tests/vm/kernel/ctl_stats.sh. Exit 0 if it holds, else an assertion."""
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LVAL = r'"(?:[^"\\\n]|\\["\\n])*"'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*=' + LVAL
LABELS = r'\{(?:' + LABEL + r'(?:,' + LABEL + r')*)?\}'
VALUE = r'[-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|NaN|Inf)'
SAMPLE = re.compile(r'^(' + NAME + r')(' + LABELS + r')? (' + VALUE + r')( -?[0-9]+)?$')
META = re.compile(r'^# (HELP|TYPE) (' + NAME + r') (.*)$')


def check(text):
    helps, types, series = {}, {}, set()
    assert text.endswith("\n"), "no final newline"
    for ln in text.splitlines():
        m = META.match(ln)
        if m:
            kind, metric, rest = m.groups()
            d = helps if kind == "HELP" else types
            assert metric not in d, "second %s for %s" % (kind, metric)
            d[metric] = rest
            if kind == "TYPE":
                assert rest in ("counter", "gauge", "summary", "histogram",
                                "untyped"), ln
                assert metric in helps, "TYPE before HELP: " + ln
            continue
        assert not ln.startswith("#"), "stray comment: %r" % ln
        m = SAMPLE.match(ln)
        assert m, "bad sample line: %r" % ln
        metric = m.group(1)
        assert metric in types, "no TYPE before " + metric
        if types[metric] == "counter":
            assert metric.endswith(("_total", "_count")), metric
        key = (metric, m.group(2) or "")
        assert key not in series, "duplicate series " + repr(key)
        series.add(key)
    assert set(helps) == set(types), "HELP without TYPE or the reverse"
    return series


if __name__ == "__main__":
    check(open(sys.argv[1]).read())
