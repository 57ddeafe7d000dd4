#!/usr/bin/env python3
"""Make the BiMix law fixtures: synthetic proxy-run losses drawn from known parameters with
0.5% multiplicative noise (seeded), fitted per domain with SciPy's least_squares(method='trf').

Writes test/fixtures/laws/scipy-<name>.json (true params, data, SciPy fit and its RSS) and
test/fixtures/laws/scipy-<name>.csv (the same data in bimix's long format), so tests need no Python.
Run from the repository root:  python3 scripts/make-scipy-fixtures.py
"""
import json
import os

import numpy as np
import scipy
from scipy.optimize import least_squares

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'laws')
NOISE = 0.005

# name, seed, steps, domains with true (alpha, beta, b, c)
DATASETS = [
    ('a', 1, [500 * k for k in range(1, 13)], {
        'web': (0.06, 0.45, 18.0, 2.3), 'code': (0.12, 0.6, 40.0, 1.1), 'books': (0.09, 0.35, 20.0, 2.6)}),
    ('b', 2, [1000, 2000, 4000, 8000, 16000, 32000], {
        'wiki': (0.15, 0.5, 30.0, 1.8), 'arxiv': (0.2, 0.7, 120.0, 1.4), 'forum': (0.05, 0.4, 40.0, 2.9)}),
    ('c', 3, [200 * k for k in range(1, 21)], {
        'news': (0.1, 0.3, 15.0, 2.0), 'math': (0.25, 0.55, 25.0, 0.9)}),
    ('d', 4, [250, 500, 1000, 2000, 3000, 4000, 6000, 8000], {
        'en': (0.04, 0.5, 20.0, 2.5), 'de': (0.18, 0.45, 15.0, 2.2), 'fr': (0.14, 0.65, 60.0, 2.0), 'py': (0.3, 0.35, 4.0, 1.0)}),
]


def law(p, r, s):
    alpha, beta, b, c = p
    return r ** (-alpha) * (b * s ** (-beta) + c)


def mixtures(rng, m, runs):
    """Varied mixtures: a uniform one, one-hot-leaning ones per domain, and Dirichlet draws."""
    out = [np.full(m, 1.0 / m)]
    for i in range(m):
        v = np.full(m, 0.15 / (m - 1))
        v[i] = 0.85
        out.append(v)
    while len(out) < runs:
        out.append(rng.dirichlet(np.full(m, 0.8)))
    # Keep every share away from 0 so every point informs r^-alpha.
    return [np.round(np.maximum(v, 0.03) / np.maximum(v, 0.03).sum(), 4) for v in out]


def fit_scipy(r, s, y):
    def resid(p):
        return law(p, r, s) - y

    best = None
    for x0 in ([0.1, 0.5, 10.0, 1.0], [0.3, 0.3, 1.0, 2.0], [0.05, 0.8, 100.0, 1.5]):
        res = least_squares(resid, x0, bounds=([0, 0, 0, 0], [np.inf] * 4), method='trf',
                            ftol=1e-15, xtol=1e-15, gtol=1e-15, x_scale='jac', max_nfev=20000)
        rss = float(np.sum(resid(res.x) ** 2))
        if best is None or rss < best[1]:
            best = (res, rss)
    res, rss = best
    return {'alpha': float(res.x[0]), 'beta': float(res.x[1]), 'b': float(res.x[2]), 'c': float(res.x[3]),
            'rss': rss, 'status': int(res.status), 'nfev': int(res.nfev)}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, seed, steps, doms in DATASETS:
        rng = np.random.default_rng(seed)
        names = list(doms)
        mixes = mixtures(rng, len(names), 12)
        # Fix rounding so each mixture sums to exactly 1 within 1e-6.
        for v in mixes:
            v[-1] = round(1.0 - float(np.sum(v[:-1])), 4)
        rows = []
        for k, mix in enumerate(mixes):
            for s in steps:
                for j, d in enumerate(names):
                    y = law(doms[d], mix[j], s) * (1 + NOISE * rng.standard_normal())
                    rows.append({'run': f'run{k}', 'step': s, 'domain': d, 'proportion': float(mix[j]), 'loss': float(round(y, 12))})
        fits = {}
        for d in names:
            pts = [x for x in rows if x['domain'] == d]
            r = np.array([x['proportion'] for x in pts])
            s = np.array([x['step'] for x in pts], dtype=float)
            y = np.array([x['loss'] for x in pts])
            fits[d] = fit_scipy(r, s, y)
        doc = {
            'description': 'BiMix synthetic data with 0.5% multiplicative noise; SciPy least_squares(method="trf") fit per domain',
            'generator': 'scripts/make-scipy-fixtures.py',
            'numpy': np.__version__, 'scipy': scipy.__version__, 'seed': seed, 'noise': NOISE,
            'truth': {d: dict(zip(['alpha', 'beta', 'b', 'c'], doms[d])) for d in names},
            'scipy': fits,
            'rows': rows,
        }
        with open(os.path.join(OUT, f'scipy-{name}.json'), 'w') as f:
            json.dump(doc, f, indent=1)
        with open(os.path.join(OUT, f'scipy-{name}.csv'), 'w') as f:
            f.write('run,step,domain,proportion,loss\n')
            for x in rows:
                f.write(f"{x['run']},{x['step']},{x['domain']},{x['proportion']!r},{x['loss']!r}\n")
        print(name, {d: (round(v['alpha'], 4), round(v['beta'], 4), v['rss']) for d, v in fits.items()})


if __name__ == '__main__':
    main()
