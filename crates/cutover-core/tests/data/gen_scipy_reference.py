#!/usr/bin/env python3
"""Regenerates scipy_reference.json (needs scipy and numpy; not run by the tests)."""
import json

import numpy as np
import scipy
import scipy.stats as st

rng = np.random.default_rng(11)
samples = [
    ([19, 22, 16, 29, 24], [20, 11, 17, 12]),
    ([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30], [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]),
    (list(np.round(rng.normal(10, 2, 40), 3)), list(np.round(rng.normal(11, 2, 35), 3))),
    ([1, 2, 2, 3, 3, 3, 4, 5], [2, 3, 3, 4, 4, 5, 6, 6, 7]),
    (list(np.round(rng.exponential(5, 200), 2)), list(np.round(rng.exponential(5.5, 180), 2))),
]
cases = []
for x, y in samples:
    two = st.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
    less = st.mannwhitneyu(x, y, alternative="less", method="asymptotic", use_continuity=True)
    cases.append({"x": [float(v) for v in x], "y": [float(v) for v in y], "u": float(two.statistic),
                  "p_two_sided": float(two.pvalue), "p_less": float(less.pvalue)})
quantiles = []
for data in [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [3.5, 1.25, 9.0, 2.0], [5.0], [2, 2, 2, 9], list(np.round(rng.normal(0, 1, 17), 4))]:
    quantiles.append({"data": [float(v) for v in data], **{k: float(np.quantile(data, p)) for k, p in
                      [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)]}})
generator = f"scipy {scipy.__version__} / numpy {np.__version__}: scipy.stats.mannwhitneyu(method='asymptotic', use_continuity=True); numpy.quantile (linear, type 7)"
with open("scipy_reference.json", "w") as handle:
    json.dump({"generator": generator, "mann_whitney": cases, "quantiles": quantiles}, handle, indent=1)
