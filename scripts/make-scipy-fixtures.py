#!/usr/bin/env python3
"""Make the BiMix law fixtures: synthetic proxy-run losses drawn from known parameters with
0.5% multiplicative noise (seeded), fitted per domain with SciPy's least_squares(method='trf').

Writes test/fixtures/laws/scipy-<name>.json (true params, data, SciPy fit and its RSS) and
test/fixtures/laws/scipy-<name>.csv (the same data in bimix's long format), so tests need no Python.
Also writes a real-shaped sweep (see make_sweep): test/fixtures/laws/sweep-mixtures.csv,
sweep-losses.csv and sweep-scipy.json (exponential and transfer law fits with SciPy's TRF: RSS on
all runs and 5-fold cross-validated R^2 on log loss, folds by run index mod 5 as bimix uses).
Run from the repository root:  python3 scripts/make-scipy-fixtures.py
(`... sweep` remakes only the sweep; `... ceiling` prints the ground truth's R^2(log) on the sweep's noisy losses.)
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


# The real-shaped sweep: 1000 runs over 17 training domains, losses on the first 13.
SWEEP_DOMAINS = ['pile_cc', 'github', 'pubmed_central', 'arxiv', 'freelaw', 'stackexchange', 'wikipedia', 'uspto',
                 'pubmed_abstracts', 'gutenberg', 'dm_mathematics', 'hackernews', 'nih_exporter',
                 'philpapers', 'europarl', 'enron_emails', 'ubuntu_irc']
SWEEP_EVALUATED = 13
SWEEP_RUNS = 1000
SWEEP_FOLDS = 5
TRANSFER_PENALTY = 0.01


def make_sweep(rng):
    """Dirichlet mixtures with many zero shares, printed with 3 decimals (rows sum to about 0.996-1.004,
    not renormalised), and losses from a transfer law with a low-rank interaction and 1% noise."""
    m, e = len(SWEEP_DOMAINS), SWEEP_EVALUATED
    prior = rng.dirichlet(np.full(m, 2.0))
    mixes = []
    while len(mixes) < SWEEP_RUNS:
        v = rng.dirichlet(prior * rng.choice([0.3, 1.0, 3.0]) * m * 0.4)
        v[v < 0.02] = 0  # many exact zeros, as in swept mixtures
        if v.sum() <= 0:
            continue
        v = np.round(v / v.sum(), 3)
        if v.sum() > 0:
            mixes.append(v)
    mixes = np.array(mixes)
    alpha = rng.uniform(0.03, 0.12, e)
    K = rng.uniform(1.2, 3.5, e)
    T = rng.uniform(0, 0.25, (e, m)) * (rng.random((e, m)) < 0.35)
    for i in range(e):
        T[i, i] = 1.0
    u, w = rng.normal(0, 1, m), rng.normal(0, 1, m)
    gamma = rng.uniform(0.0, 0.03, e)
    eff = mixes @ T.T + 0.003
    truth = eff ** (-alpha) * K * (1 + gamma[None, :] * (np.tanh(mixes @ u) * np.tanh(mixes @ w))[:, None])
    loss = truth * (1 + 0.01 * rng.standard_normal(truth.shape))
    loss = np.round(loss, 4)
    missing = rng.random(loss.shape) < 0.005  # a few runs not evaluated on a domain
    return mixes, loss, missing, truth


def ceiling_main():
    """What any model can reach on the sweep: R^2(log) and MRE of the noise-free ground truth against the observed losses."""
    mixes, loss, missing, truth = make_sweep(np.random.default_rng(17))
    r2s, rel = [], []
    for d in range(SWEEP_EVALUATED):
        ok = ~missing[:, d]
        r2s.append(r2_log(loss[ok, d], truth[ok, d]))
        rel.extend(np.abs(truth[ok, d] - loss[ok, d]) / loss[ok, d])
        print(f'{SWEEP_DOMAINS[d]:18s} R2(log) of the ground truth {r2s[-1]:.4f}')
    print(f'mean {np.mean(r2s):.4f}  min {np.min(r2s):.4f}  pooled MRE {100 * np.mean(rel):.3f}%')


def renormalise(mixes):
    """bimix's rule: rows off 1 by more than 1e-6 (and at most 0.01) are divided by their sum."""
    out = mixes.copy()
    for i, v in enumerate(mixes):
        s = v.sum()
        if abs(s - 1) > 1e-6:
            out[i] = v / s
    return out


def fit_exp(X, y):
    """Exponential law c + k exp(t . r), t_last = 0, c, k >= 0, by TRF with an analytic Jacobian; best of a few starts."""
    m = X.shape[1]

    def model(p):
        return p[0] + p[1] * np.exp(X[:, :-1] @ p[2:])

    def resid(p):
        return model(p) - y

    def jac(p):
        z = np.exp(X[:, :-1] @ p[2:])
        return np.column_stack([np.ones_like(y), z, (p[1] * z)[:, None] * X[:, :-1]])

    best = None
    lo = [0, 0] + [-np.inf] * (m - 1)
    for c0 in (0.5 * y.min(), 0.9 * y.min()):
        x0 = np.concatenate([[c0, y.mean() - c0], np.zeros(m - 1)])
        res = least_squares(resid, x0, jac=jac, bounds=(lo, np.inf), method='trf', ftol=1e-15, xtol=1e-15, gtol=1e-15,
                            x_scale='jac', max_nfev=5000)
        rss = float(np.sum(resid(res.x) ** 2))
        if best is None or rss < best[1]:
            best = (res.x, rss)
    return best


def fit_transfer(X, y, d):
    """Transfer law e^-alpha K (one step: b and beta undetermined), e = r_d + sum_j tau_j r_j, on the relative
    scale y / mean(y) with an L2 penalty on tau (bimix's objective), by TRF; best of bimix's tau starts."""
    others = [j for j in range(X.shape[1]) if j != d]
    ybar = y.mean()
    yn = y / ybar
    sp = np.sqrt(TRANSFER_PENALTY)

    def eff(p):
        return np.maximum(X[:, d] + X[:, others] @ p[2:], 1e-12)

    def resid(p):
        f = eff(p) ** (-p[0]) * p[1]
        return np.concatenate([f - yn, sp * p[2:]])

    def jac(p):
        e = eff(p)
        f = e ** (-p[0]) * p[1]
        top = np.column_stack([-np.log(e) * f, e ** (-p[0]), (-p[0] * f / e)[:, None] * X[:, others]])
        return np.vstack([top, np.column_stack([np.zeros((len(others), 2)), sp * np.eye(len(others))])])

    best = None
    for t0 in (0.02, 0.1, 0.3):
        x0 = np.concatenate([[0.1, 1.0], np.full(len(others), t0)])
        res = least_squares(resid, x0, jac=jac, bounds=(0, np.inf), method='trf', ftol=1e-15, xtol=1e-15, gtol=1e-15,
                            x_scale='jac', max_nfev=5000)
        obj = float(np.sum(resid(res.x) ** 2))
        if best is None or obj < best[1]:
            best = (res.x, obj)
    p, obj = best
    f = eff(p) ** (-p[0]) * p[1] * ybar
    return p, float(np.sum((f - y) ** 2)), obj


def r2_log(obs, pred):
    lo, lp = np.log(obs), np.log(pred)
    return float(1 - np.sum((lo - lp) ** 2) / np.sum((lo - lo.mean()) ** 2))


def sweep_main():
    rng = np.random.default_rng(17)
    mixes, loss, missing, _ = make_sweep(rng)
    names, e = SWEEP_DOMAINS, SWEEP_EVALUATED
    with open(os.path.join(OUT, 'sweep-mixtures.csv'), 'w') as f:
        f.write('run,' + ','.join(names) + '\n')
        for i, v in enumerate(mixes):
            f.write(f'run{i},' + ','.join(f'{x:.3f}'.rstrip('0').rstrip('.') for x in v) + '\n')
    with open(os.path.join(OUT, 'sweep-losses.csv'), 'w') as f:
        f.write('run,' + ','.join(names[:e]) + '\n')
        for i in range(len(mixes)):
            f.write(f'run{i},' + ','.join('' if missing[i, j] else f'{loss[i, j]:.4f}' for j in range(e)) + '\n')
    X = renormalise(mixes)
    runs = np.arange(len(X))
    out = {}
    for law in ('exp', 'transfer'):
        doms = {}
        for d in range(e):
            ok = ~missing[:, d]
            Xd, yd, rd = X[ok], loss[ok, d], runs[ok]
            if law == 'exp':
                p, rss = fit_exp(Xd, yd)
                entry = {'rss': rss, 'c': float(p[0]), 'k': float(p[1])}
            else:
                p, rss, obj = fit_transfer(Xd, yd, d)
                entry = {'rss': rss, 'objective': obj, 'alpha': float(p[0])}
            pred = np.empty_like(yd)
            for fold in range(SWEEP_FOLDS):
                tr, te = rd % SWEEP_FOLDS != fold, rd % SWEEP_FOLDS == fold
                if law == 'exp':
                    q, _ = fit_exp(Xd[tr], yd[tr])
                    pred[te] = q[0] + q[1] * np.exp(Xd[te][:, :-1] @ q[2:])
                else:
                    q, _, _ = fit_transfer(Xd[tr], yd[tr], d)
                    others = [j for j in range(X.shape[1]) if j != d]
                    eff = np.maximum(Xd[te][:, d] + Xd[te][:, others] @ q[2:], 1e-12)
                    pred[te] = eff ** (-q[0]) * q[1] * yd[tr].mean()
            entry['cvR2Log'] = r2_log(yd, pred)
            doms[names[d]] = entry
            print(law, names[d], entry, flush=True)
        out[law] = doms
    doc = {
        'description': 'real-shaped sweep: 1000 runs, 17 training domains (13 evaluated), Dirichlet mixtures with zeros '
                       'printed with 3 decimals; SciPy least_squares(method="trf") fits of the exp and transfer laws, '
                       f'{SWEEP_FOLDS}-fold CV by run index mod {SWEEP_FOLDS}',
        'generator': 'scripts/make-scipy-fixtures.py',
        'numpy': np.__version__, 'scipy': scipy.__version__, 'seed': 17, 'transferPenalty': TRANSFER_PENALTY,
        'laws': out,
    }
    with open(os.path.join(OUT, 'sweep-scipy.json'), 'w') as f:
        json.dump(doc, f, indent=1)


if __name__ == '__main__':
    import sys
    if 'ceiling' in sys.argv[1:]:
        ceiling_main()
        sys.exit(0)
    if 'sweep' not in sys.argv[1:]:
        main()
    sweep_main()
