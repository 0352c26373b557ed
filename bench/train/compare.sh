#!/usr/bin/env bash
# Training speed, rarewatch vs PyTorch, side by side in one run on this machine.
#
#   bash bench/train/compare.sh [DATA.csv.gz] [EPOCHS] [THREADS]
#
# Same setup on both sides (see bench/train/torch_speed.py): creditcard time split, robust
# scaling, MLP 30-32-16-1, Adam 1e-3, unweighted BCE, batch 2048, no early stopping.
# Prints the median seconds per epoch of the training pass and of the whole epoch (with the
# validation pass and exact AP), and the ratios. PyTorch also runs on 1 thread, because its
# OpenMP threads degrade badly when other processes hold the cores; the conservative ratio
# is against PyTorch's faster thread setting.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/datasets/creditcard.csv.gz}
epochs=${2:-10}
threads=${3:-2}
if [ ! -f "$data" ]; then
    echo "compare.sh: $data not found (the shared datasets folder is absent); nothing to compare" >&2
    exit 1
fi
cargo build --release -q -p rarewatch-trainer --example train_speed
ours=$(./target/release/examples/train_speed "$data" --epochs "$epochs" --threads "$threads")
torch_n=$(python3 bench/train/torch_speed.py "$data" --epochs "$epochs" --threads "$threads")
torch_1=$(python3 bench/train/torch_speed.py "$data" --epochs "$epochs" --threads 1)
echo "$ours"
echo "$torch_n"
echo "$torch_1" | sed 's/^pytorch:/pytorch (1 thread):/'
field() { sed -n "s/.*$2 \([0-9.]*\) s\/epoch.*/\1/p" <<<"$1" | head -1; }
python3 - "$(field "$ours" 'train pass')" "$(field "$ours" 'with validation')" \
    "$(field "$torch_n" 'train pass')" "$(field "$torch_n" 'with validation')" \
    "$(field "$torch_1" 'train pass')" "$(field "$torch_1" 'with validation')" "$threads" <<'PY'
import sys
ours_p, ours_w, tn_p, tn_w, t1_p, t1_w = map(float, sys.argv[1:7])
threads = sys.argv[7]
print(f"s/epoch, train pass:      rarewatch {ours_p:.4f}  pytorch({threads}t) {tn_p:.4f}  pytorch(1t) {t1_p:.4f}")
print(f"s/epoch, with validation: rarewatch {ours_w:.4f}  pytorch({threads}t) {tn_w:.4f}  pytorch(1t) {t1_w:.4f}")
print(f"ratio vs pytorch {threads} threads: train pass {tn_p / ours_p:.1f}x, with validation {tn_w / ours_w:.1f}x")
best_p, best_w = min(tn_p, t1_p), min(tn_w, t1_w)
print(f"ratio vs pytorch's faster setting: train pass {best_p / ours_p:.1f}x, with validation {best_w / ours_w:.1f}x")
PY
