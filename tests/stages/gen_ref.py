#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""NumPy references for the preprocessing stages (docs/stages.md).

Usage: /usr/bin/python3 tests/stages/gen_ref.py OUTDIR

Writes, for each case, the input stream and what the stage (or chain of
stages) must output, computed here in float64 from the float32 inputs, written
from docs/stages.md rather than from the C code:

  OUTDIR/manifest.txt     one block per case:
      case NAME IN_DIM MAX_KEYS N_IN N_OUT OUT_DIM
      stage SPEC                          (one per stage, in chain order)
      stats I ROWS_IN ROWS_OUT DROP_MISSING DROP_KEYS DROP_WARMUP NAN INF IMPUTED KEYS
      atol TOL                            (optional: absolute error limit)
      end
  OUTDIR/NAME.x     N_IN * IN_DIM float32     input rows
  OUTDIR/NAME.keys  N_IN uint32               sensor id of each row
  OUTDIR/NAME.y     N_OUT * OUT_DIM float32   expected output rows
  OUTDIR/NAME.ids   N_OUT uint32              input row of each output row
  OUTDIR/MODEL.st   model files that "zscore:file=" and "pca:file=" specs
                    name by their path in OUTDIR (tests/model/stfile.py)

All little-endian. tests/unit/stage_ref.c runs the C stages on these and
compares (|got - want| <= 1e-5 * max(1, |want|), or <= TOL when the case
has an atol line; NaN where NaN is wanted). The PCA models are fitted by
scikit-learn (iris, diabetes) and checked against its transform() first.
Exit status 77 when numpy or scikit-learn is missing.
"""
import os
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "model"))
try:
    import numpy as np
    from sklearn.datasets import load_diabetes, load_iris
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import StandardScaler
except ImportError as e:  # the test reports this as a skip
    print(f"skip: {e}")
    sys.exit(77)

from stfile import forward, model_bytes  # noqa: E402

FEATURES = ["mean", "var", "min", "max", "rms", "slope"]
STAT_FIELDS = ["rows_in", "rows_out", "drop_missing", "drop_keys",
               "drop_warmup", "nan", "inf", "imputed", "keys"]


def new_stats(n):
    s = dict.fromkeys(STAT_FIELDS, 0)
    s["rows_in"] = n
    return s


def admit(keys, max_keys, stats):
    """Rows whose key is among the first max_keys distinct keys seen."""
    seen = []
    ok = np.zeros(len(keys), bool)
    for i, k in enumerate(keys):
        if k in seen:
            ok[i] = True
        elif len(seen) < max_keys:
            seen.append(k)
            ok[i] = True
    stats["drop_keys"] = int((~ok).sum())
    stats["keys"] = len(seen)
    return ok


def count_missing(x, stats):
    stats["nan"] = int(np.isnan(x).sum())
    stats["inf"] = int(np.isinf(x).sum())


def clean(x, keys, ids, params, max_keys):
    policy = params.get("policy", "drop")
    st = new_stats(len(x))
    if policy in ("impute-mean", "impute-last"):
        ok = admit(keys, max_keys, st)
        x, keys, ids = x[ok], keys[ok], ids[ok]
    count_missing(x, st)
    fin = np.isfinite(x)
    if policy == "drop":
        ok = fin.all(axis=1)
        st["drop_missing"] = int((~ok).sum())
        x, keys, ids = x[ok], keys[ok], ids[ok]
    else:
        st["imputed"] = int((~fin).sum())
        y = x.astype(np.float64)
        if policy == "impute-zero":
            y[~fin] = 0.0
        for k in np.unique(keys):
            rows = np.nonzero(keys == k)[0]
            xk, fk = y[rows], fin[rows]
            if policy == "impute-mean":
                # mean of the finite values of the rows before (0 if none)
                s = np.cumsum(np.where(fk, xk, 0.0), axis=0)
                c = np.cumsum(fk, axis=0)
                fill = np.divide(s, c, out=np.zeros_like(s), where=c > 0)
            elif policy == "impute-last":
                t = np.where(fk, np.arange(len(rows))[:, None], -1)
                t = np.maximum.accumulate(t, axis=0)
                fill = np.where(t >= 0, xk[np.maximum(t, 0),
                                            np.arange(xk.shape[1])], 0.0)
            else:
                continue
            y[rows] = np.where(fk, xk, fill)
        x = y
    st["rows_out"] = len(x)
    return x, keys, ids, st


def slope(w):
    m = len(w)
    if m == 1:
        return np.zeros(w.shape[1])
    t = np.arange(m, dtype=np.float64)
    if np.isfinite(w).all():
        return np.polyfit(t, w, 1)[0]
    tc = t - t.mean()
    return (tc[:, None] * (w - w.mean(axis=0))).sum(axis=0) / (tc ** 2).sum()


def window_feats(w, feats):
    with np.errstate(invalid="ignore", over="ignore"):
        f = {
            "mean": w.mean(axis=0),
            "var": w.var(axis=0),  # population variance, ddof=0
            "min": w.min(axis=0),
            "max": w.max(axis=0),
            "rms": np.sqrt((w ** 2).mean(axis=0)),
            "slope": slope(w),
        }
    return np.concatenate([f[name] for name in feats])  # feature-major


def window(x, keys, ids, params, max_keys):
    n = int(params["n"])
    feats = params.get("features", "|".join(FEATURES)).split("|")
    full = params.get("emit", "always") == "full"
    st = new_stats(len(x))
    ok = admit(keys, max_keys, st)
    hist = {}
    out, okeys, oids = [], [], []
    for i in np.nonzero(ok)[0]:
        h = hist.setdefault(keys[i], [])
        h.append(x[i].astype(np.float64))
        if full and len(h) < n:
            st["drop_warmup"] += 1
            continue
        out.append(window_feats(np.array(h[-n:]), feats))
        okeys.append(keys[i])
        oids.append(ids[i])
    st["rows_out"] = len(out)
    y = np.array(out).reshape(len(out), x.shape[1] * len(feats))
    return y, np.array(okeys, np.uint32), np.array(oids, np.uint32), st


def floats(s, dim):
    v = np.array([np.float32(t) for t in s.split("|")], np.float64)
    return np.broadcast_to(v, (dim,)) if len(v) == 1 else v


# Model files written by Writer.model(): path -> ops (stfile.py dicts).
MODELS = {}


def file_op(params, kind):
    """The op a file= spec takes: op=N, or the first of its kind."""
    ops = MODELS[params["file"]]
    if "op" in params:
        op = ops[int(params["op"])]
        assert op["op"] == kind, f"op {params['op']} is {op['op']}"
        return op
    return next(op for op in ops if op["op"] == kind)


def zscore(x, keys, ids, params, max_keys):
    d = x.shape[1]
    st = new_stats(len(x))
    st["rows_out"] = len(x)
    if "file" in params:
        # (x - mean) / std from the file's float32 values, in float64
        y = forward([file_op(params, "standardize")], x)
    else:
        y = (x - floats(params["mean"], d)) / floats(params["std"], d)
    return y, keys, ids, st


def pca(x, keys, ids, params, max_keys):
    """(x - mean) @ components.T, from the file's float32 values."""
    st = new_stats(len(x))
    st["rows_out"] = len(x)
    return forward([file_op(params, "pca")], x), keys, ids, st


def scale(x, keys, ids, params, max_keys):
    d = x.shape[1]
    st = new_stats(len(x))
    st["rows_out"] = len(x)
    y = x * floats(params.get("mul", "1"), d) + floats(params.get("add", "0"), d)
    return y, keys, ids, st


STAGES = {"clean": clean, "window": window, "zscore": zscore, "scale": scale,
          "pca": pca}


def parse_spec(spec):
    name, _, rest = spec.partition(":")
    params = dict(p.split("=", 1) for p in rest.split(",")) if rest else {}
    return name, params


def run_chain(specs, x, keys, max_keys):
    ids = np.arange(len(x), dtype=np.uint32)
    stats = []
    for spec in specs:
        name, params = parse_spec(spec)
        y, keys, ids, st = STAGES[name](x, keys, ids, params, max_keys)
        # Stages hand float32 rows to each other.
        with np.errstate(over="ignore", invalid="ignore"):
            x = np.asarray(y, np.float64).astype(np.float32)
        stats.append(st)
    return x, keys, ids, stats


def fmt(v):
    return "|".join("%.9g" % np.float32(a) for a in np.atleast_1d(v))


class Writer:
    def __init__(self, outdir):
        self.dir = outdir
        self.manifest = open(os.path.join(outdir, "manifest.txt"), "w")
        self.names = set()

    def model(self, name, ops):
        """Write OUTDIR/NAME.st holding @ops; returns its path."""
        path = os.path.join(self.dir, name + ".st")
        with open(path, "wb") as f:
            f.write(model_bytes(ops, {"edgeai.name": name}))
        MODELS[path] = ops
        return path

    def case(self, name, specs, x, keys=None, max_keys=64, atol=None):
        assert name not in self.names
        self.names.add(name)
        x = np.ascontiguousarray(x, np.float32)
        keys = (np.zeros(len(x), np.uint32) if keys is None
                else np.asarray(keys, np.uint32))
        y, _, ids, stats = run_chain(specs, x, keys, max_keys)
        d_out = y.shape[1] if y.ndim == 2 and y.shape[1] else 0
        if not d_out:
            raise ValueError(f"{name}: no output dimension")
        m = self.manifest
        m.write(f"case {name} {x.shape[1]} {max_keys} {len(x)} {len(y)} {d_out}\n")
        for s in specs:
            m.write(f"stage {s}\n")
        for i, st in enumerate(stats):
            m.write(f"stats {i} " + " ".join(str(st[f]) for f in STAT_FIELDS) + "\n")
        if atol is not None:
            m.write(f"atol {atol:g}\n")
        m.write("end\n")
        base = os.path.join(self.dir, name)
        x.astype("<f4").tofile(base + ".x")
        keys.astype("<u4").tofile(base + ".keys")
        y.astype("<f4").tofile(base + ".y")
        ids.astype("<u4").tofile(base + ".ids")


def holes(rng, x, frac):
    """NaN, +Inf and -Inf in about @frac of the values, and some whole rows."""
    x = x.copy()
    r = rng.random(x.shape)
    x[r < frac / 3] = np.nan
    x[(r >= frac / 3) & (r < 2 * frac / 3)] = np.inf
    x[(r >= 2 * frac / 3) & (r < frac)] = -np.inf
    x[rng.integers(0, len(x), size=max(1, len(x) // 50))] = np.nan
    return x


def stream(rng, n, dim, nkeys, offset=0.0, noise=1.0):
    keys = rng.integers(10, 10 + nkeys, size=n).astype(np.uint32)
    keys[:nkeys] = np.arange(10, 10 + nkeys)  # every key early
    t = np.arange(n)[:, None]
    x = offset + noise * rng.standard_normal((n, dim)) + 0.01 * t * \
        rng.standard_normal(dim)
    return x, keys


def clean_cases(w, rng):
    x, keys = stream(rng, 300, 4, 3)
    x = holes(rng, x, 0.15)
    x[0, :] = np.nan           # key 10's first row: nothing to impute from
    x[1, 2] = np.inf
    for pol in ["drop", "impute-mean", "impute-last", "impute-zero"]:
        w.case("clean_" + pol.replace("-", "_"), [f"clean:policy={pol}"],
               x, keys)
    w.case("clean_default", ["clean"], x, keys)
    # Keys beyond capacity: rows of the fourth and fifth sensors are dropped.
    x5, k5 = stream(rng, 200, 3, 5)
    x5 = holes(rng, x5, 0.1)
    w.case("clean_mean_2keys", ["clean:policy=impute-mean"], x5, k5,
           max_keys=2)
    w.case("clean_last_4keys", ["clean:policy=impute-last"], x5, k5,
           max_keys=4)
    # impute-zero and drop keep no per-key state: no key limit.
    w.case("clean_zero_1key", ["clean:policy=impute-zero"], x5, k5,
           max_keys=1)
    big, kb = stream(rng, 400, 3, 2, offset=1000.0, noise=0.01)
    w.case("clean_mean_offset", ["clean:policy=impute-mean"],
           holes(rng, big, 0.2), kb)


def window_cases(w, rng):
    x, keys = stream(rng, 400, 3, 4)
    for n in [1, 2, 5, 32]:
        for emit in ["always", "full"]:
            w.case(f"window_n{n}_{emit}",
                   [f"window:n={n},emit={emit}"], x, keys)
    w.case("window_order", ["window:n=7,features=slope|min|rms"], x, keys)
    w.case("window_var_only", ["window:features=var,n=3"], x, keys)
    w.case("window_3keys", ["window:n=4,features=mean|max"], x, keys,
           max_keys=3)
    w.case("window_nokeys", ["window:n=6,emit=full"], x[:100])
    # Large offsets: around 1e3 and 1e4 with small noise, and a slow ramp.
    for off, noise, tag in [(1e3, 1e-2, "1e3"), (1e4, 1e-2, "1e4"),
                            (-5e3, 1e-3, "m5e3")]:
        xb, kb = stream(rng, 300, 2, 2, offset=off, noise=noise)
        w.case(f"window_offset_{tag}", ["window:n=32"], xb, kb)
        w.case(f"window_offset_{tag}_full", ["window:n=64,emit=full"],
               xb, kb)
    ramp = 1000.0 + 1e-3 * np.arange(500)[:, None] + \
        1e-4 * rng.standard_normal((500, 2))
    w.case("window_ramp", ["window:n=50,features=slope|var|mean"], ramp)
    # NaN and Inf in the window propagate (put clean first to avoid it).
    xn = x[:120].copy()
    xn[10, 0] = np.nan
    xn[50, 1] = np.inf
    xn[51, 1] = -np.inf
    w.case("window_nan", ["window:n=5"], xn, keys[:120])
    w.case("window_nan_n1", ["window:n=1"], xn, keys[:120])
    w.case("window_wide", ["window:n=1024,features=mean|var|slope"],
           *stream(rng, 1500, 2, 1, offset=100.0))


def affine_cases(w, rng):
    x, keys = stream(rng, 100, 5, 2, offset=3.0, noise=2.0)
    mean = rng.standard_normal(5) * 3
    std = rng.random(5) * 4 + 0.1
    w.case("zscore_lists", [f"zscore:mean={fmt(mean)},std={fmt(std)}"], x)
    w.case("zscore_scalar", ["zscore:std=2.5,mean=-1"], x)
    w.case("scale_lists", [f"scale:mul={fmt(std)},add={fmt(mean)}"], x)
    w.case("scale_mul", ["scale:mul=0.001"], x * 1000)
    w.case("scale_add", ["scale:add=-1|2|-3|4|-5"], x)
    xn = x.copy()
    xn[3, 1] = np.nan
    xn[4, 2] = np.inf
    w.case("scale_nan", ["scale:mul=2,add=1"], xn)


def dataset_cases(w, rng):
    iris = load_iris()
    xi = iris.data.astype(np.float32)
    ki = iris.target.astype(np.uint32)       # one "sensor" per species
    order = rng.permutation(len(xi))         # interleave the sensors
    xi, ki = xi[order], ki[order]
    mu, sd = xi.mean(axis=0), xi.std(axis=0)
    w.case("iris_zscore", [f"zscore:mean={fmt(mu)},std={fmt(sd)}"], xi, ki)
    xh = holes(rng, xi, 0.1)
    w.case("iris_chain", [
        "clean:policy=impute-mean",
        f"zscore:mean={fmt(mu)},std={fmt(sd)}",
        "window:n=5,features=mean|var|min|max|rms|slope",
    ], xh, ki)
    w.case("iris_drop_window", ["clean:policy=drop", "window:n=8,emit=full",
                                "scale:mul=0.5,add=1"], xh, ki)

    dia = load_diabetes(scaled=False)
    xd = dia.data.astype(np.float32)         # raw: age, bmi, bp, s1..s6
    kd = (xd[:, 0] // 10).astype(np.uint32)  # "sensor" = age decade
    dmu, dsd = xd.mean(axis=0), xd.std(axis=0)
    w.case("diabetes_window", ["window:n=16"], xd, kd)
    w.case("diabetes_chain", [
        "clean:policy=impute-last",
        "window:n=10,features=mean|var|slope",
        "scale:mul=0.01",
    ], holes(rng, xd, 0.05), kd)
    w.case("diabetes_zscore_keys4", [
        "clean:policy=impute-mean",
        f"zscore:mean={fmt(dmu)},std={fmt(dsd)}",
        "window:n=4,features=rms|max,emit=full",
    ], holes(rng, xd, 0.05), kd, max_keys=4)
    ds = load_diabetes()                     # the scaled version
    w.case("diabetes_scaled_window", ["window:n=32,features=var|slope"],
           ds.data.astype(np.float32), (np.arange(442) % 5).astype(np.uint32))


def check_sklearn(name, ops, x, want):
    """The ops in float64 with sklearn's own parameters give what sklearn
    gives: the formulas of the stages are sklearn's."""
    got = forward(ops, x, stored=False)
    err = np.abs(got - want).max()
    if err > 1e-8 * max(1.0, np.abs(want).max()):
        sys.exit(f"gen_ref.py: {name}: the ops disagree with scikit-learn by {err:g}")


PCA_ATOL = 1e-5     # pca outputs here are O(1): absolute error


def pca_cases(w, rng):
    iris = load_iris()
    xi, ki = iris.data, iris.target.astype(np.uint32)
    order = rng.permutation(len(xi))         # interleave the sensors
    xi, ki = xi[order], ki[order]
    p2 = PCA(n_components=2).fit(xi)
    ops = [dict(op="pca", mean=p2.mean_, components=p2.components_)]
    check_sklearn("iris_pca2", ops, xi, p2.transform(xi))
    path = w.model("iris_pca2", ops)
    w.case("iris_pca2", [f"pca:file={path}"], xi, ki, atol=PCA_ATOL)
    # All four components: out_dim == in_dim (also run in place).
    p4 = PCA().fit(xi)
    ops = [dict(op="pca", mean=p4.mean_, components=p4.components_)]
    check_sklearn("iris_pca4", ops, xi, p4.transform(xi))
    path = w.model("iris_pca4", ops)
    w.case("iris_pca4", [f"pca:file={path},op=0"], xi, ki, atol=PCA_ATOL)
    # zscore from a StandardScaler file, then PCA of the standardized data.
    sc = StandardScaler().fit(xi)
    ps = PCA(n_components=3).fit(sc.transform(xi))
    ops = [dict(op="standardize", mean=sc.mean_, std=sc.scale_),
           dict(op="pca", mean=ps.mean_, components=ps.components_)]
    check_sklearn("iris_std_pca3", ops, xi, ps.transform(sc.transform(xi)))
    path = w.model("iris_std_pca3", ops)
    w.case("iris_zscore_file", [f"zscore:file={path}"], xi, ki,
           atol=PCA_ATOL)
    w.case("iris_zscore_pca3", [f"zscore:file={path}", f"pca:file={path}"],
           xi, ki, atol=PCA_ATOL)

    # Raw diabetes: standardize, PCA to 5, linear regression: a model whose
    # first two ops a pipeline takes as stages (the dense op is skipped).
    dia = load_diabetes(scaled=False)
    xd = dia.data
    kd = (xd[:, 0] // 10).astype(np.uint32)  # "sensor" = age decade
    sd = StandardScaler().fit(xd)
    pd = PCA(n_components=5).fit(sd.transform(xd))
    zd = pd.transform(sd.transform(xd))
    lr = LinearRegression().fit(zd, dia.target)
    ops = [dict(op="standardize", mean=sd.mean_, std=sd.scale_),
           dict(op="pca", mean=pd.mean_, components=pd.components_),
           dict(op="dense", weight=lr.coef_[None, :],
                bias=np.array([lr.intercept_]))]
    check_sklearn("diabetes_std_pca5", ops[:2], xd, zd)
    check_sklearn("diabetes_std_pca5_lr", ops, xd, lr.predict(zd)[:, None])
    path = w.model("diabetes_std_pca5", ops)
    w.case("diabetes_zscore_pca5", [f"zscore:file={path},op=0",
                                    f"pca:op=1,file={path}"],
           xd, kd, atol=PCA_ATOL)
    w.case("diabetes_pca_chain", [
        "clean:policy=impute-mean",
        f"zscore:file={path}",
        f"pca:file={path}",
        "window:n=8,features=mean|var|slope",
    ], holes(rng, xd.astype(np.float32), 0.05), kd)
    # The scaled dataset (values ~0.05): PCA straight on it.
    ds = load_diabetes()
    p3 = PCA(n_components=3).fit(ds.data)
    ops = [dict(op="pca", mean=p3.mean_, components=p3.components_)]
    check_sklearn("diabetes_scaled_pca3", ops, ds.data, p3.transform(ds.data))
    path = w.model("diabetes_scaled_pca3", ops)
    w.case("diabetes_scaled_pca3", [f"pca:file={path}"], ds.data,
           (np.arange(442) % 5).astype(np.uint32), atol=PCA_ATOL)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(sys.argv[1], exist_ok=True)
    rng = np.random.default_rng(20261205)
    w = Writer(sys.argv[1])
    clean_cases(w, rng)
    window_cases(w, rng)
    affine_cases(w, rng)
    dataset_cases(w, rng)
    pca_cases(w, rng)
    w.manifest.close()
    print(f"{len(w.names)} cases in {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
