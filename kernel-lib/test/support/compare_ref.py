"""Reference numbers of a Bland-Altman comparison (numpy / scipy.stats), in the order of
compare.test.ts's FIELDS."""
import numpy as np
import scipy.stats as st


def bland_altman(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    n = len(a)
    d, m = a - b, (a + b) / 2
    bias, sd = d.mean(), d.std(ddof=1)
    tc = st.t.ppf(0.975, n - 1)
    lo, hi = bias - 1.96 * sd, bias + 1.96 * sd
    se = sd * np.sqrt(1 / n + 1.96 ** 2 / (2 * (n - 1)))  # Bland & Altman 1999
    r = st.pearsonr(a, b)
    ci = r.confidence_interval(0.95)  # Fisher z
    lr = st.linregress(m, d)
    t2 = st.t.ppf(0.975, n - 2)
    return np.array([
        n, a.mean(), b.mean(), bias, bias - tc * sd / np.sqrt(n), bias + tc * sd / np.sqrt(n), sd,
        lo, hi, lo - tc * se, lo + tc * se, hi - tc * se, hi + tc * se, np.mean((d >= lo) & (d <= hi)),
        r.statistic, ci.low, ci.high, r.pvalue,
        lr.slope, lr.intercept, lr.stderr, lr.intercept_stderr, lr.slope - t2 * lr.stderr, lr.slope + t2 * lr.stderr, lr.pvalue,
    ])
