#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""scikit-learn's side of tests/unit/train_sklearn.sh.

    sklearn_ref.py export DIR
        For each case (diabetes, breast_cancer, digits) write
        DIR/CASE_train.csv and DIR/CASE_test.csv (columns f0..fN, target;
        a stratified 75/25 split, seeded), fit scikit-learn's reference
        models on the training rows, score them on the test rows, and
        write DIR/sklearn.json: {"CASE/MODEL": score, ...}.
    sklearn_ref.py score DIR CASE PRED.json
        Our score on CASE's test rows from `edgeaictl -j model predict
        MODEL --csv DIR/CASE_test.csv` output: R^2 for diabetes, accuracy
        for the classifiers (computed here, independently of edgeaictl).

Scores: R^2 (regression), accuracy (classification). Models: diabetes
LinearRegression; breast_cancer StandardScaler + LogisticRegression;
digits StandardScaler + LogisticRegression and StandardScaler +
MLPClassifier(64 relu, Adam). Needs numpy and scikit-learn (Debian:
python3-numpy python3-sklearn); exit status 3 if they are missing.
"""
import json
import os
import sys

sys.dont_write_bytecode = True
try:
    import numpy as np
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
except ImportError as e:
    print("sklearn_ref.py: needs numpy and scikit-learn: %s" % e, file=sys.stderr)
    sys.exit(3)

SEED = 0
CASES = {
    "diabetes": (load_diabetes, False),
    "breast_cancer": (load_breast_cancer, True),
    "digits": (load_digits, True),
}


def models(case):
    if case == "diabetes":
        return {"linear": LinearRegression()}
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    if case == "breast_cancer":
        return {"logistic": lr}
    mlp = make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=(64,), max_iter=300, random_state=SEED))
    return {"softmax": lr, "mlp": mlp}


def split(case):
    load, classify = CASES[case]
    d = load()
    return train_test_split(d.data, d.target, test_size=0.25,
                            random_state=SEED,
                            stratify=d.target if classify else None)


def write_csv(path, x, y):
    with open(path, "w") as f:
        f.write(",".join("f%d" % i for i in range(x.shape[1])) + ",target\n")
        for row, t in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + ",%s\n" % t)


def score(case, y_true, y_pred):
    if CASES[case][1]:
        return float(accuracy_score(y_true, y_pred))
    return float(r2_score(y_true, y_pred))


def export(out):
    ref = {}
    for case in CASES:
        xtr, xte, ytr, yte = split(case)
        write_csv(os.path.join(out, case + "_train.csv"), xtr, ytr)
        write_csv(os.path.join(out, case + "_test.csv"), xte, yte)
        for name, m in models(case).items():
            m.fit(xtr, ytr)
            ref["%s/%s" % (case, name)] = score(case, yte, m.predict(xte))
    with open(os.path.join(out, "sklearn.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)


def our_score(out, case, pred_file):
    _, xte, _, yte = split(case)
    pred = json.load(open(pred_file))["predictions"]
    if len(pred) != len(yte):
        sys.exit("%s: %d predictions for %d test rows" % (pred_file, len(pred), len(yte)))
    if CASES[case][1]:
        got = np.array([int(p["class"]) for p in pred])
    else:
        got = np.array([p["outputs"][0] for p in pred])
    print("%.6f" % score(case, yte, got))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "export":
        export(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "score":
        our_score(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
