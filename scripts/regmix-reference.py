#!/usr/bin/python3
"""RegMix-style reference on the real-shaped sweep: gradient-boosted trees over the 17 proportions,
one model per evaluated domain, 5-fold CV by run index mod 5 (the folds bimix uses), scored by
R^2 on log loss as bimix scores its laws.

RegMix (arXiv 2407.01492) uses LightGBM: gbdt, 31 leaves, learning rate 0.01, 1000 rounds, other
settings default (min 20 rows per leaf, no L2, 255 bins). LightGBM is not packaged here, so this uses
Debian's XGBoost (python3-xgboost 1.7.4, run with /usr/bin/python3) set up the same way: histogram
method, leaf-wise growth (lossguide) with at most 31 leaves, eta 0.01, 1000 rounds, min_child_weight 20
(= 20 rows for squared error), lambda 0, 255 bins, base score = mean loss.

Writes test/fixtures/laws/sweep-regmix.json. Run from the repository root:
  /usr/bin/python3 scripts/regmix-reference.py
"""
import csv
import json
import os

import numpy as np
import xgboost as xgb

FIX = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'laws')
FOLDS = 5
PARAMS = dict(objective='reg:squarederror', tree_method='hist', grow_policy='lossguide', max_leaves=31, max_depth=0,
              eta=0.01, min_child_weight=20, reg_lambda=0.0, max_bin=255, nthread=2, seed=0)
ROUNDS = 1000


def read(name):
    with open(os.path.join(FIX, name)) as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def main():
    mh, mrows = read('sweep-mixtures.csv')
    lh, lrows = read('sweep-losses.csv')
    X = np.array([[float(v) for v in r[1:]] for r in mrows])
    sums = X.sum(axis=1, keepdims=True)
    X = np.where(np.abs(sums - 1) > 1e-6, X / sums, X)  # bimix's renormalisation rule
    runs = np.arange(len(X))
    out = {}
    for j, name in enumerate(lh[1:]):
        cells = [r[j + 1] for r in lrows]
        ok = np.array([c != '' for c in cells])
        y = np.array([float(c) if c != '' else np.nan for c in cells])[ok]
        Xd, rd = X[ok], runs[ok]
        pred = np.empty_like(y)
        for fold in range(FOLDS):
            tr, te = rd % FOLDS != fold, rd % FOLDS == fold
            model = xgb.train({**PARAMS, 'base_score': float(y[tr].mean())}, xgb.DMatrix(Xd[tr], label=y[tr]), ROUNDS)
            pred[te] = model.predict(xgb.DMatrix(Xd[te]))
        ly, lp = np.log(y), np.log(pred)
        r2 = float(1 - np.sum((ly - lp) ** 2) / np.sum((ly - ly.mean()) ** 2))
        mre = float(np.mean(np.abs(pred - y) / y))
        out[name] = {'cvR2Log': r2, 'cvMre': mre, 'points': int(len(y))}
        print(name, out[name], flush=True)
    # A plain linear regression on the proportions, the other anchor RegMix reports.
    lin = {}
    for j, name in enumerate(lh[1:]):
        cells = [r[j + 1] for r in lrows]
        ok = np.array([c != '' for c in cells])
        y = np.array([float(c) for c in np.array(cells)[ok]])
        Xd, rd = np.column_stack([np.ones(ok.sum()), X[ok]]), runs[ok]
        pred = np.empty_like(y)
        for fold in range(FOLDS):
            tr, te = rd % FOLDS != fold, rd % FOLDS == fold
            coef, *_ = np.linalg.lstsq(Xd[tr], y[tr], rcond=None)
            pred[te] = Xd[te] @ coef
        ly, lp = np.log(y), np.log(np.maximum(pred, 1e-9))
        lin[name] = {'cvR2Log': float(1 - np.sum((ly - lp) ** 2) / np.sum((ly - ly.mean()) ** 2))}
    doc = {
        'description': 'RegMix-style boosted trees (XGBoost hist, lossguide, 31 leaves, eta 0.01, 1000 rounds, '
                       'min_child_weight 20, lambda 0) and linear regression over the proportions; 5-fold CV by run index mod 5',
        'generator': 'scripts/regmix-reference.py', 'xgboost': xgb.__version__, 'numpy': np.__version__,
        'params': PARAMS, 'rounds': ROUNDS, 'trees': out, 'linear': lin,
        'meanCvR2Log': {'trees': float(np.mean([v['cvR2Log'] for v in out.values()])),
                        'linear': float(np.mean([v['cvR2Log'] for v in lin.values()]))},
    }
    with open(os.path.join(FIX, 'sweep-regmix.json'), 'w') as f:
        json.dump(doc, f, indent=1)
    print(doc['meanCvR2Log'])


if __name__ == '__main__':
    main()
