#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write docs/examples/data.csv: the reference article's worked example.

    docs/examples/make_data.py [OUT]      (default: data.csv next to this file)

Columns x1, x2, y with the known relation

    y = 3 * x1 - 2 * x2 + 5 + noise,   noise ~ N(0, 0.5^2)

for x1, x2 uniform in [-5, 5]: 200 rows, of which a few have a missing or
non-numeric value (the article's dropna() drops them; so does edgeaictl
model train, counting them). Seeded: the same file every time. So a model
trained on it should predict about 3 * 1.0 - 2 * 2.0 + 5 = 4.0 at
(x1, x2) = (1.0, 2.0). Needs numpy (Debian: python3-numpy).
"""
import os
import sys

import numpy as np

ROWS = 200
SEED = 20240517
# (row, column, value): the incomplete rows, at fixed places.
HOLES = [(16, "x2", ""), (41, "y", ""), (77, "x1", "NA"), (120, "x2", "abc"),
         (158, "x1", "")]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "data.csv")
    rng = np.random.default_rng(SEED)
    x1 = rng.uniform(-5, 5, ROWS)
    x2 = rng.uniform(-5, 5, ROWS)
    y = 3 * x1 - 2 * x2 + 5 + rng.normal(0, 0.5, ROWS)
    rows = [{"x1": "%.4f" % a, "x2": "%.4f" % b, "y": "%.4f" % c}
            for a, b, c in zip(x1, x2, y)]
    for row, col, val in HOLES:
        rows[row][col] = val
    with open(out, "w") as f:
        f.write("x1,x2,y\n")
        for r in rows:
            f.write("%s,%s,%s\n" % (r["x1"], r["x2"], r["y"]))


if __name__ == "__main__":
    main()
