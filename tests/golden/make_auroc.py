#!/usr/bin/python3
"""Golden AUROC values for tests/tst_expertise.cpp: scikit-learn's roc_auc_score for every
unit of every case of ../shared/golden/expertise/ap_golden.safetensors (the AP golden file:
ties, constant responses, a single positive, ml-selfcond's own cases, a realistic
300 x 1700 one), beside the exact value: the Mann-Whitney count over positive-negative
pairs (a tie counts half) as a fraction, rounded once to double. scikit-learn integrates
its ROC curve by the trapezoid rule in floating point, so the two can differ by a few ulps;
the engine computes the exact one. Debian 12: python3-sklearn 1.2.1, python3-numpy 1.24.2.

    /usr/bin/python3 tests/golden/make_auroc.py [path/to/ap_golden.safetensors]
"""
import json
import pathlib
import struct
import sys
from fractions import Fraction

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score

DTYPES = {"F64": np.float64, "F32": np.float32, "I64": np.int64, "U8": np.uint8}


def read_safetensors(path):
    raw = pathlib.Path(path).read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + size])
    data = raw[8 + size:]

    def tensor(name):
        meta = header[name]
        start, end = meta["data_offsets"]
        return np.frombuffer(data[start:end], dtype=DTYPES[meta["dtype"]]).reshape(meta["shape"])

    return header.get("__metadata__", {}), tensor


def exact_auroc(responses, labels):
    r = np.asarray(responses, dtype=np.float64)
    positives, negatives = np.sort(r[labels == 1]), np.sort(r[labels == 0])
    below = np.searchsorted(negatives, positives, side="left")       # negatives strictly below
    at_or_below = np.searchsorted(negatives, positives, side="right")
    twice_u = int((below + at_or_below).sum())                       # 2 x (wins + ties / 2)
    return float(Fraction(twice_u, 2 * len(positives) * len(negatives)))


def main():
    default = pathlib.Path(__file__).resolve().parents[2] / "../shared/golden/expertise/ap_golden.safetensors"
    source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default
    metadata, tensor = read_safetensors(source)
    cases = {}
    for name in json.loads(metadata["cases"]):
        responses = tensor(name + ".responses")  # [units, sentences]
        labels = tensor(name + ".labels").astype(np.int64)
        cases[name] = {
            "sklearn": [float(roc_auc_score(labels, responses[u])) for u in range(responses.shape[0])],
            "exact": [exact_auroc(responses[u], labels) for u in range(responses.shape[0])],
        }
    out = {
        "generator": "tests/golden/make_auroc.py",
        "source": "golden/expertise/ap_golden.safetensors",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    path = pathlib.Path(__file__).with_name("auroc_golden.json")
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
