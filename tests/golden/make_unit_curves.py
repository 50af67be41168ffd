#!/usr/bin/python3
"""Golden precision-recall curves and class histograms for tests/tst_unit_curves.cpp,
computed by the references the inspector claims to match: scikit-learn's
precision_recall_curve and numpy's histogram (Debian 12: python3-sklearn 1.2.1,
python3-numpy 1.24.2). Writes unit_curves.json beside this script.

    /usr/bin/python3 tests/golden/make_unit_curves.py
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import precision_recall_curve


def case(name, responses, labels, bins):
    r = np.asarray(responses, dtype=np.float32)
    y = np.asarray(labels, dtype=np.int64)
    precision, recall, thresholds = precision_recall_curve(y, r)
    # scikit-learn returns increasing thresholds and closes with (precision 1, recall 0);
    # the inspector keeps decreasing thresholds and no closing point.
    precision, recall, thresholds = precision[:-1][::-1], recall[:-1][::-1], thresholds[::-1]
    r64 = r.astype(np.float64)
    everything, all_edges = np.histogram(r64, bins=bins)
    # Both classes in the bins of all responses (edges given: numpy's searchsorted path,
    # which must agree with its equal-width path on everything).
    positives, _ = np.histogram(r64[y == 1], bins=all_edges)
    negatives, _ = np.histogram(r64[y == 0], bins=all_edges)
    assert (positives + negatives == everything).all()
    return {
        "name": name,
        "responses": [float(v) for v in r],
        "labels": [int(v) for v in y],
        "bins": bins,
        "precision": [float(v) for v in precision],
        "recall": [float(v) for v in recall],
        "thresholds": [float(v) for v in thresholds],
        "low": float(all_edges[0]),
        "high": float(all_edges[-1]),
        "positives": [int(v) for v in positives],
        "negatives": [int(v) for v in negatives],
    }


def main():
    rng = np.random.default_rng(20201215)
    cases = []
    # A realistic expert: positives shifted up, 700/1000 as in OneSec football.
    labels = np.r_[np.ones(700, int), np.zeros(1000, int)]
    responses = np.r_[rng.normal(1.0, 0.6, 700), rng.normal(0.0, 0.5, 1000)].astype(np.float32)
    cases.append(case("expert-700-1000", responses, labels, 40))
    # Many exact ties (a saturated unit), quantised responses.
    responses = np.round(rng.normal(0.0, 1.0, 400) * 4).astype(np.float32) / 4
    labels = (rng.random(400) < 0.3).astype(int)
    responses[labels == 1] += 0.5
    cases.append(case("quantised-ties", responses, labels, 12))
    # Values exactly on bin edges, negative range, full recall reached early.
    cases.append(case("edges", [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.0, -2.0],
                      [0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0], 8))
    # Every response equal: one threshold, the histogram widened by 0.5 each way.
    cases.append(case("constant", [0.25] * 9, [1, 0, 1, 0, 0, 1, 0, 0, 0], 5))
    # A perfect classifier and an inverted one.
    cases.append(case("perfect", [5, 4, 3, 2, 1, 0], [1, 1, 1, 0, 0, 0], 3))
    cases.append(case("inverted", [5, 4, 3, 2, 1, 0], [0, 0, 0, 1, 1, 1], 3))
    # Awkward decimals whose edges round badly (numpy's one-off corrections matter).
    responses = (rng.integers(0, 1000, 600) * 0.1 + 0.1).astype(np.float32)
    labels = (responses > 50).astype(int) ^ (rng.random(600) < 0.2).astype(int)
    cases.append(case("decimals", responses, labels, 30))
    out = {
        "generator": "tests/golden/make_unit_curves.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    path = pathlib.Path(__file__).with_name("unit_curves.json")
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
