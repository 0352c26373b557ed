#!/usr/bin/env python3
"""River's drift detectors on the drift bench's streams (issue 4, item 7).

Reads the labelled events the Rust bench wrote (out/streams/SCENARIO__POLICY.{bin,json}; per
seed: seed u64, count u32, then per event arrival u32, row u32, flags u8 with bit 0 = positive,
bit 1 = alert) and feeds River 0.2x detectors, in arrival order, with:

  error_labelled  one bit per labelled row: prediction wrong (label != alert)
  recall          one bit per labelled positive: missed (the class-conditional recall stream)
  precision       one bit per labelled alert: false alert
  error_all       one bit per row, every row labelled (rows absent from the file are correct
                  negatives); only for the 'all' label policy, on the first --all-rows-seeds
                  seeds, up to --all-rows-after rows past the change

For each (scenario, policy, stream, detector) and seed it records drifts before the change
(false drifts) and the first drift at or after it: delay in rows (arrival row + 1 - change),
labelled post-change positives and labelled post-change events up to that point. Detectors
reset themselves after a drift, as River does. A drop scenario's seed starts a fresh detector;
the stable scenario's seeds run one after another through the same detector, as one long
stream (a fresh HDDM_W or ADWIN raises fewer false drifts than one that has run for long, and
a device runs for long), as the Rust bench runs its monitor.

    python river_peer.py --streams out/streams --out out/river.json [--jobs 2] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
from river import drift

RECALL_DROPS = ("recall_abrupt_0.5", "recall_abrupt_0.3", "recall_gradual_0.5")
PRECISION_DROPS = ("alert_rate_x3", "score_shift_2iqr")
GRID = {
    "recall": ("stable", *RECALL_DROPS),
    "error_labelled": ("stable", *RECALL_DROPS, *PRECISION_DROPS),
    "precision": ("stable", *PRECISION_DROPS),
}
EVENT = np.dtype([("arrival", "<u4"), ("row", "<u4"), ("flags", "u1")])


def detectors(sweep: bool):
    """(family, label, params, factory). Defaults first; with `sweep`, sensitivity grids on
    the recall stream."""
    out = [
        ("ADWIN", "ADWIN δ=0.002", {"delta": 0.002}, lambda: drift.ADWIN(delta=0.002)),
        ("DDM", "DDM 2σ/3σ", {"drift_threshold": 3.0}, lambda: drift.binary.DDM()),
        ("HDDM_A", "HDDM_A", {"drift_confidence": 0.001}, lambda: drift.binary.HDDMA()),
        ("HDDM_W", "HDDM_W", {"drift_confidence": 0.001, "lambda": 0.05}, lambda: drift.binary.HDDMW()),
        ("PageHinkley", "PageHinkley λ=50", {"threshold": 50.0, "mode": "both"}, lambda: drift.PageHinkley()),
        ("FHDDM", "FHDDM", {"confidence_level": 1e-6, "window": 100}, lambda: drift.binary.FHDDM()),
    ]
    if not sweep:
        return out
    grid = []
    hddm_w = {0.02: (1e-3, 1e-4, 1e-5), 0.05: (5e-4, 2e-4, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10),
              0.1: (1e-3, 5e-4, 2e-4, 1e-4, 1e-5, 1e-6), 0.2: (1e-3, 1e-4)}
    for lam, cs in hddm_w.items():
        for c in cs:
            grid.append(("HDDM_W", f"HDDM_W λ={lam} c={c:g}", {"drift_confidence": c, "lambda": lam},
                         lambda c=c, lam=lam: drift.binary.HDDMW(drift_confidence=c, warning_confidence=min(0.5, 5 * c), lambda_val=lam)))
    for c in (5e-3, 2e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10):
        grid.append(("HDDM_A", f"HDDM_A c={c:g}", {"drift_confidence": c},
                     lambda c=c: drift.binary.HDDMA(drift_confidence=c, warning_confidence=min(0.5, 5 * c))))
    for d in (0.2, 0.1, 0.05, 0.01, 1e-4, 1e-6, 1e-8):
        grid.append(("ADWIN", f"ADWIN δ={d:g}", {"delta": d}, lambda d=d: drift.ADWIN(delta=d)))
    for t in (4.0, 5.0, 6.0, 8.0, 10.0):
        grid.append(("DDM", f"DDM {t:g}σ", {"drift_threshold": t},
                     lambda t=t: drift.binary.DDM(warning_threshold=t - 1.0, drift_threshold=t)))
    for t in (3.0, 5.0, 8.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0):
        grid.append(("PageHinkley", f"PageHinkley up λ={t:g}", {"threshold": t, "mode": "up"},
                     lambda t=t: drift.PageHinkley(threshold=t, mode="up")))
    for c in (1e-7, 1e-8, 1e-10):
        grid.append(("FHDDM", f"FHDDM c={c:g}", {"confidence_level": c, "window": 100},
                     lambda c=c: drift.binary.FHDDM(confidence_level=c)))
    for w, c in ((50, 1e-6), (50, 1e-8), (200, 1e-8)):
        grid.append(("FHDDM", f"FHDDM w={w} c={c:g}", {"confidence_level": c, "window": w},
                     lambda w=w, c=c: drift.binary.FHDDM(sliding_window_size=w, confidence_level=c)))
    return out + grid


def load(path: str):
    meta = json.load(open(path[:-4] + ".json"))
    raw = open(path, "rb").read()
    seeds, at = [], 0
    while at < len(raw):
        seed = int.from_bytes(raw[at:at + 8], "little")
        n = int.from_bytes(raw[at + 8:at + 12], "little")
        at += 12
        ev = np.frombuffer(raw, dtype=EVENT, count=n, offset=at)
        at += n * EVENT.itemsize
        seeds.append((seed, ev))
    return meta, seeds


def run_bits(det, bits, arrival, cum_pos, cum_lab, change_at):
    """Feeds `bits` to `det`; returns (false drifts before the change, first drift at or after
    it)."""
    false = 0
    for j, b in enumerate(bits):
        det.update(b)
        if det.drift_detected:
            a = arrival[j]
            if a < change_at:
                false += 1
            else:
                return false, [a + 1 - change_at, cum_pos[j], cum_lab[j]]
    return false, None


def labelled_task(args):
    path, stream, family, label, params, factory_index, sweep = args
    factory = detectors(sweep)[factory_index][3]
    meta, seeds = load(path)
    change_at = meta["change_at"]
    chained = change_at >= meta["rows"]
    out, t0 = [], time.time()
    det = factory()
    for seed, ev in seeds:
        if not chained:
            det = factory()
        pos = (ev["flags"] & 1).astype(bool)
        alert = (ev["flags"] & 2).astype(bool)
        after = ev["row"] >= change_at
        cum_pos = np.cumsum(after & pos)
        cum_lab = np.cumsum(after)
        if stream == "error_labelled":
            sel = np.ones(len(ev), dtype=bool)
            bits = pos != alert
        elif stream == "recall":
            sel = pos
            bits = ~alert
        elif stream == "precision":
            sel = alert
            bits = ~pos
        else:
            raise ValueError(stream)
        false, first = run_bits(
            det,
            bits[sel].astype(int).tolist(),
            ev["arrival"][sel].astype(int).tolist(),
            cum_pos[sel].astype(int).tolist(),
            cum_lab[sel].astype(int).tolist(),
            change_at,
        )
        out.append({"seed": seed, "false": false, "first": first})
    return result(meta, stream, family, label, params, out, len(seeds), meta["change_at"], time.time() - t0)


def all_rows_task(args):
    path, family, label, params, factory_index, n_seeds, after_rows = args
    factory = detectors(False)[factory_index][3]
    meta, seeds = load(path)
    change_at = meta["change_at"]
    end = min(meta["rows"], change_at + after_rows)
    out, t0 = [], time.time()
    for seed, ev in seeds[:n_seeds]:
        ev = ev[ev["row"] < end]
        pos = (ev["flags"] & 1).astype(bool)
        alert = (ev["flags"] & 2).astype(bool)
        bits = np.zeros(end, dtype=np.int64)
        bits[ev["row"][pos != alert]] = 1
        pos_rows = np.sort(ev["row"][pos])
        det = factory()
        false, first = 0, None
        for r, b in enumerate(bits.tolist()):
            det.update(b)
            if det.drift_detected:
                if r < change_at:
                    false += 1
                else:
                    lo = np.searchsorted(pos_rows, change_at)
                    hi = np.searchsorted(pos_rows, r, side="right")
                    labels = r + 1 - change_at
                    first = [r + 1 - change_at, int(hi - lo), labels]
                    break
        out.append({"seed": seed, "false": false, "first": first})
    # Stable rows here are the pre-change rows of these seeds.
    return result(meta, "error_all", family, label, params, out, min(n_seeds, len(seeds)), change_at, time.time() - t0,
                  observed_rows_after=end - change_at)


def result(meta, stream, family, label, params, seeds, n, stable_rows_per_seed, seconds, **extra):
    return {
        "scenario": meta["scenario"],
        "title": meta["title"],
        "policy": meta["policy"],
        "stream": stream,
        "family": family,
        "detector": label,
        "params": params,
        "rows": meta["rows"],
        "change_at": meta["change_at"],
        "stable_rows": stable_rows_per_seed * n,
        "chained": meta["change_at"] >= meta["rows"],
        "seeds": seeds,
        "seconds": seconds,
        **extra,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--streams", default="out/streams")
    ap.add_argument("--out", default="out/river.json")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sweep", action="store_true", help="sensitivity grids (see GRID)")
    ap.add_argument("--all-rows-seeds", type=int, default=10)
    ap.add_argument("--all-rows-seeds-hddm-a", type=int, default=3,
                    help="HDDM_A costs ~30 µs per update in River 0.26: fewer seeds on the all-rows stream")
    ap.add_argument("--all-rows-after", type=int, default=1_000_000)
    ap.add_argument("--all-rows-scenarios", default="recall_abrupt_0.5,recall_abrupt_0.3")
    ap.add_argument("--only", default=None, help="substring of scenario names")
    args = ap.parse_args()

    files = sorted(f for f in os.listdir(args.streams) if f.endswith(".bin"))
    if args.only:
        files = [f for f in files if args.only in f]
    dets = detectors(args.sweep)
    n_default = len(detectors(False))
    tasks = []
    for f in files:
        path = os.path.join(args.streams, f)
        meta = json.load(open(path[:-4] + ".json"))
        for stream in ("error_labelled", "recall", "precision"):
            for i, (family, label, params, _) in enumerate(dets):
                tuned = i >= n_default
                # Sensitivity grids (labels: all): the recall and labelled-error streams of the
                # stable and recall-drop scenarios; the precision and labelled-error streams of
                # the stable and precision-drop scenarios.
                if tuned and not (meta["policy"] == "all" and meta["scenario"] in GRID.get(stream, ())):
                    continue
                tasks.append((labelled_task, (path, stream, family, label, params, i, args.sweep)))
    heavy = []
    for f in files:
        path = os.path.join(args.streams, f)
        meta = json.load(open(path[:-4] + ".json"))
        if meta["policy"] == "all" and meta["scenario"] in args.all_rows_scenarios.split(","):
            for i, (family, label, params, _) in enumerate(detectors(False)):
                n = args.all_rows_seeds_hddm_a if family == "HDDM_A" else args.all_rows_seeds
                heavy.append((all_rows_task, (path, family, label, params, i, n, args.all_rows_after)))
    tasks = heavy + tasks  # longest first
    t0 = time.time()
    results = []
    with Pool(max(1, args.jobs)) as pool:
        for k, r in enumerate(pool.imap_unordered(call, tasks)):
            results.append(r)
            if k % 20 == 0 or r["seconds"] > 30:
                print(f"  {k + 1}/{len(tasks)} {r['scenario']}/{r['policy']}/{r['stream']}/{r['detector']}: "
                      f"{r['seconds']:.1f} s (elapsed {time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    import river
    json.dump({"river": river.__version__, "seconds": time.time() - t0, "results": results}, open(args.out, "w"))
    print(f"wrote {args.out} ({len(results)} results, {time.time() - t0:.0f} s)", file=sys.stderr)


def call(task):
    fn, args = task
    return fn(args)


if __name__ == "__main__":
    main()
