"""Checks the Rust port of River's HDDM_W (src/hddm_w.rs) against River 0.26.1: random bit
streams with a failure rate that changes, every tested setting; both must report every drift
at the same index.

    cargo build --release --bin hddm-w-check
    .venv/bin/python check_hddm_w.py [--streams 40] [--length 20000]
"""
import argparse
import random
import subprocess
import sys

from river import drift

SETTINGS = [(0.05, 0.001), (0.02, 0.001), (0.02, 1e-4), (0.05, 1e-4), (0.1, 1e-3), (0.1, 5e-4), (0.2, 1e-3)]


def stream(rng, length):
    """Failure rate 0.2, then a drop of recall (rate up) at a random point, sometimes gradual."""
    change = rng.randrange(length // 4, length)
    after = rng.choice([0.3, 0.5, 0.7])
    ramp = rng.choice([1, 500, 2000])
    bits = []
    for i in range(length):
        p = 0.2 + (after - 0.2) * min(1.0, max(0, i - change) / ramp)
        bits.append(1 if rng.random() < p else 0)
    return bits


def river_drifts(lam, c, bits):
    d = drift.binary.HDDMW(drift_confidence=c, warning_confidence=min(0.5, 5 * c), lambda_val=lam)
    out = []
    for i, b in enumerate(bits):
        d.update(b)
        if d.drift_detected:
            out.append(i)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--streams", type=int, default=40)
    ap.add_argument("--length", type=int, default=20_000)
    ap.add_argument("--binary", default="target/release/hddm-w-check")
    args = ap.parse_args()
    rng = random.Random(7)
    cases, lines = [], []
    for _ in range(args.streams):
        bits = stream(rng, args.length)
        for lam, c in SETTINGS:
            cases.append((lam, c, bits))
            lines.append(f"{lam} {c} {''.join(map(str, bits))}")
    ours = subprocess.run([args.binary], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True).stdout.splitlines()
    mismatches, drifts = 0, 0
    for (lam, c, bits), line in zip(cases, ours):
        theirs = river_drifts(lam, c, bits)
        mine = [int(x) for x in line.split()]
        drifts += len(theirs)
        if mine != theirs:
            mismatches += 1
            print(f"λ={lam} c={c}: River {theirs[:8]} port {mine[:8]}", file=sys.stderr)
    print(f"{len(cases)} streams x settings, {drifts} River drifts, {mismatches} mismatching streams")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
