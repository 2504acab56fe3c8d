#!/usr/bin/python3
"""XGBoost reference for the platform's ranking trainer (ML.NET LightGBM).

Trains rank:ndcg (tree_method=hist, lossguide, max_leaves) on LETOR/svmlight files with <file>.query group
files and prints one JSON line with the same keys as `talentmatch-rank evaluate`:
ndcg@1, ndcg@3, ndcg@5, ndcg@10 on the test file and train_seconds (xgb.train only; data loading excluded).

NDCG here is the same definition as TalentMatch.Ranking.Metrics: gain 2^label - 1, discount 1/log2(rank+2),
ranking by descending score with ties in input order (stable sort), a query with no relevant item scores 1.

Run with Debian's python (python3-xgboost 1.7.4):  /usr/bin/python3 tests/xgboost/xgb_rank.py --train ... --test ...
Synthetic data: write it with `talentmatch-rank synthetic --out PREFIX` and pass PREFIX.train / PREFIX.test.
"""
import argparse
import json
import sys
import time

import numpy as np
import xgboost as xgb


def load_letor(path, num_features=None, sparse_missing=False):
    labels = []
    rows, cols, vals = [], [], []
    qids = []
    max_idx = 0
    with open(path) as fh:
        r = 0
        for line in fh:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            labels.append(float(parts[0]))
            for tok in parts[1:]:
                k, v = tok.split(':', 1)
                if k == 'qid':
                    qids.append(int(v))
                    continue
                i = int(k) - 1
                rows.append(r)
                cols.append(i)
                vals.append(float(v))
                if i + 1 > max_idx:
                    max_idx = i + 1
            r += 1
    n = len(labels)
    nf = max(max_idx, num_features or 0)
    fill = np.nan if sparse_missing else 0.0
    x = np.full((n, nf), fill, dtype=np.float32)
    x[np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)] = np.asarray(vals, dtype=np.float32)
    try:
        with open(path + '.query') as fh:
            groups = [int(l) for l in fh if l.strip()]
    except FileNotFoundError:
        groups = []
        prev = None
        for q in qids:
            if q != prev:
                groups.append(0)
                prev = q
            groups[-1] += 1
    assert sum(groups) == n, f'{path}: group sizes {sum(groups)} != rows {n}'
    return x, np.asarray(labels, dtype=np.float32), np.asarray(groups, dtype=np.int64)


def ndcg_at(labels, scores, k):
    order = np.argsort(-scores, kind='stable')
    kk = min(k, len(labels)) if k > 0 else len(labels)
    gains = np.power(2.0, labels.astype(np.float64)) - 1.0
    disc = 1.0 / np.log2(np.arange(kk) + 2.0)
    dcg = float(np.sum(gains[order[:kk]] * disc))
    ideal = np.sort(gains)[::-1][:kk]
    idcg = float(np.sum(ideal * disc))
    return 1.0 if idcg <= 0 else dcg / idcg


def mean_ndcg(labels, scores, groups, k):
    total, start = 0.0, 0
    for g in groups:
        total += ndcg_at(labels[start:start + g], scores[start:start + g], k)
        start += g
    return total / len(groups)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--train', required=True)
    ap.add_argument('--test', required=True)
    ap.add_argument('--trees', type=int, default=100)
    ap.add_argument('--leaves', type=int, default=31)
    ap.add_argument('--learning-rate', type=float, default=0.1)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--min-child-weight', type=float, default=1e-3, help='match TalentMatch MinHessianPerLeaf')
    ap.add_argument('--l2', type=float, default=0.0, help='reg_lambda; match TalentMatch L2')
    ap.add_argument('--max-bin', type=int, default=256)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--sparse-missing', action='store_true', help='absent LETOR entries are missing (xgboost libsvm semantics) instead of 0')
    a = ap.parse_args()

    xtr, ytr, gtr = load_letor(a.train, sparse_missing=a.sparse_missing)
    xte, yte, gte = load_letor(a.test, num_features=xtr.shape[1], sparse_missing=a.sparse_missing)
    if xte.shape[1] > xtr.shape[1]:
        xtr = np.hstack([xtr, np.full((xtr.shape[0], xte.shape[1] - xtr.shape[1]), np.nan if a.sparse_missing else 0.0, dtype=np.float32)])
    dtrain = xgb.DMatrix(xtr, label=ytr, missing=np.nan, nthread=a.threads)
    dtrain.set_group(gtr)
    dtest = xgb.DMatrix(xte, label=yte, missing=np.nan, nthread=a.threads)
    dtest.set_group(gte)
    params = {
        'objective': 'rank:ndcg',
        'tree_method': 'hist',
        'grow_policy': 'lossguide',
        'max_depth': 0,
        'max_leaves': a.leaves,
        'eta': a.learning_rate,
        'min_child_weight': a.min_child_weight,
        'lambda': a.l2,
        'max_bin': a.max_bin,
        'nthread': a.threads,
        'seed': a.seed,
        'verbosity': 0,
    }
    t0 = time.perf_counter()
    booster = xgb.train(params, dtrain, num_boost_round=a.trees)
    train_seconds = time.perf_counter() - t0
    pred = booster.predict(dtest).astype(np.float64)
    out = {f'ndcg@{k}': round(mean_ndcg(yte, pred, gte, k), 6) for k in (1, 3, 5, 10)}
    out.update({'train_seconds': round(train_seconds, 4), 'trees': a.trees, 'leaves': a.leaves,
                'threads': a.threads, 'tool': 'xgboost-' + xgb.__version__})
    print(json.dumps(out))


if __name__ == '__main__':
    sys.exit(main())
