"""PyTorch peer of `cargo run --release -p rarewatch-trainer --example train_speed`.

Same setup: time split 60/20/20 (file order), median/IQR scaling clipped at the 0.1 %/99.9 %
training quantiles, MLP in-32-16-1 (ReLU), output bias ln(pos/neg), Adam 1e-3, unweighted
BCE-with-logits, batch 2048, a fixed number of epochs, `torch.set_num_threads(THREADS)`.
Prints the median seconds per epoch of the training pass and of the epoch with validation
(forward pass on the validation rows and exact average precision).

python3 bench/train/torch_speed.py DATA.csv[.gz] [--label Class] [--epochs 10] [--threads 2]
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch


def average_precision(scores, labels):
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    distinct = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[distinct]
    fp = distinct + 1 - tp
    precision = tp / (tp + fp)
    recall = tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--label", default="Class")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=2048)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    t = time.perf_counter()
    df = pd.read_csv(a.data)
    read_seconds = time.perf_counter() - t
    y = df.pop(a.label).astype(str).str.strip('"').astype(np.int64).to_numpy()
    x = df.to_numpy(dtype=np.float64)
    n = len(y)
    n_train, n_val = round(0.6 * n), round(0.2 * n)
    xt, yt = x[:n_train], y[:n_train]
    xv, yv = x[n_train:n_train + n_val], y[n_train:n_train + n_val]

    median = np.median(xt, axis=0)
    q1, q3 = np.quantile(xt, [0.25, 0.75], axis=0)
    scale = np.where(q3 - q1 > 0, q3 - q1, 1.0)
    lo = (np.quantile(xt, 0.001, axis=0) - median) / scale
    hi = (np.quantile(xt, 0.999, axis=0) - median) / scale

    def transform(v):
        return torch.tensor(np.clip((v - median) / scale, lo, hi), dtype=torch.float32)

    xt_t, xv_t = transform(xt), transform(xv)
    yt_t = torch.tensor(yt, dtype=torch.float32)
    d = xt.shape[1]
    model = torch.nn.Sequential(
        torch.nn.Linear(d, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, 1),
    )
    with torch.no_grad():
        model[4].bias.fill_(float(np.log(yt.sum() / (len(yt) - yt.sum()))))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    passes, wholes = [], []
    for _ in range(a.epochs):
        start = time.perf_counter()
        model.train()
        perm = torch.randperm(len(yt_t))
        total = 0.0
        for i in range(0, len(perm), a.batch):
            idx = perm[i:i + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(xt_t[idx]).squeeze(1), yt_t[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        passes.append(time.perf_counter() - start)
        model.eval()
        with torch.no_grad():
            scores = model(xv_t).squeeze(1).numpy()
        ap = average_precision(scores, yv)
        wholes.append(time.perf_counter() - start)

    print(f"pytorch: read {read_seconds:.3f} s ({n} rows); {len(yt)} training rows, "
          f"{a.epochs} epochs, {a.threads} threads, batch {a.batch}, torch {torch.__version__}")
    print(f"pytorch: train pass {np.median(passes):.4f} s/epoch (median); "
          f"with validation {np.median(wholes):.4f} s/epoch")
    print(f"pytorch: last epoch train loss {total / len(yt):.5f}, val AP {ap:.4f}")


if __name__ == "__main__":
    main()
