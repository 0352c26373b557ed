"""PyTorch quality peer: the setup of the anchors' PyTorch row (MLP in-32-16-1, Adam 1e-3,
batch 2048, output bias ln(p/(1-p)), early stop on validation AP with patience 10, restore
best), on the same split and scaling as rarewatch (time split 60/20/20; median/IQR scaled,
clipped at the --clip / 1 - --clip training quantiles). Prints per seed the test AP and the
test F1 at the validation max-F1 threshold.

python3 bench/train/torch_quality.py DATA.csv[.gz] [--label Class] [--seeds 0,1,2] [--clip 0]
"""

import argparse
import copy

import numpy as np
import pandas as pd
import torch

from torch_speed import average_precision


def best_f1_threshold(scores, labels):
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    distinct = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[distinct]
    fp = distinct + 1 - tp
    f1 = 2 * tp / (tp + fp + y.sum())
    return s[distinct][np.argmax(f1)]


def f1_at(scores, labels, threshold):
    pred = scores >= threshold
    tp = np.sum(pred & (labels == 1))
    return 2 * tp / (pred.sum() + labels.sum())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--label", default="Class")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--clip", type=float, default=0.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--scaler", default="robust", choices=["robust", "standard"])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    df = pd.read_csv(a.data)
    y = df.pop(a.label).astype(str).str.strip('"').astype(np.int64).to_numpy()
    x = df.to_numpy(dtype=np.float64)
    n = len(y)
    n_train, n_val = round(0.6 * n), round(0.2 * n)
    parts = [(x[:n_train], y[:n_train]), (x[n_train:n_train + n_val], y[n_train:n_train + n_val]),
             (x[n_train + n_val:], y[n_train + n_val:])]
    xt = parts[0][0]
    median = np.median(xt, axis=0)
    q1, q3 = np.quantile(xt, [0.25, 0.75], axis=0)
    scale = np.where(q3 - q1 > 0, q3 - q1, 1.0)
    if a.scaler == "standard":
        median, scale = xt.mean(axis=0), xt.std(axis=0)
    lo = (np.quantile(xt, a.clip, axis=0) - median) / scale
    hi = (np.quantile(xt, 1 - a.clip, axis=0) - median) / scale
    (xt, yt), (xv, yv), (xs, ys) = [
        (torch.tensor(np.clip((v - median) / scale, lo, hi), dtype=torch.float32), t) for v, t in parts]
    aps, f1s = [], []
    for seed in [int(s) for s in a.seeds.split(",")]:
        torch.manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(xt.shape[1], 32), torch.nn.ReLU(),
            torch.nn.Linear(32, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
        with torch.no_grad():
            model[4].bias.fill_(float(np.log(yt.mean() / (1 - yt.mean()))))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        yt_t = torch.tensor(yt, dtype=torch.float32)
        best, best_state, wait, epoch = -1.0, None, 0, 0
        while wait < 10 and epoch < 200:
            epoch += 1
            perm = torch.randperm(len(yt))
            for i in range(0, len(perm), 2048):
                idx = perm[i:i + 2048]
                opt.zero_grad()
                loss_fn(model(xt[idx]).squeeze(1), yt_t[idx]).backward()
                opt.step()
            with torch.no_grad():
                ap = average_precision(model(xv).squeeze(1).numpy(), yv)
            if ap > best:
                best, best_state, wait = ap, copy.deepcopy(model.state_dict()), 0
            else:
                wait += 1
        model.load_state_dict(best_state)
        with torch.no_grad():
            sv = model(xv).squeeze(1).numpy()
            st = model(xs).squeeze(1).numpy()
        threshold = best_f1_threshold(sv, yv)
        aps.append(average_precision(st, ys))
        f1s.append(f1_at(st, ys, threshold))
        print(f"seed {seed}: epochs {epoch} | val AP {best:.4f} | test AP {aps[-1]:.4f} F1 {f1s[-1]:.4f}")
    print(f"test AP mean {np.mean(aps):.4f} min {np.min(aps):.4f}; "
          f"test F1 mean {np.mean(f1s):.4f} min {np.min(f1s):.4f}")


if __name__ == "__main__":
    main()
