#!/usr/bin/env python3
"""Label-free detection on the streams of `examples/simulate_streams.rs`.

Runs `rarewatch simulate MODEL STREAM --label Class --label-fraction 0 --json` on each
stream and prints, per stream kind and seed, the first row at which each label-free
signal reached `drift` (the change is at row 60,000; `-` = never in 120,000 rows).

    python3 bench/simulate/detect.py --bin target/release/rarewatch \
        --model /tmp/sim-cc-notime.rwm --streams /tmp/simstreams --seeds 0,1,2,3,4
"""

import argparse
import json
import subprocess

CHANGE_ROW = 60_000
KINDS = ["stable", "v14-plus3iqr", "v14-minus3iqr", "positives-x6"]
SIGNALS = ["alert_rate", "score_distribution", "estimated", "feature_range"]


def first_drift(binary, model, stream):
    out = subprocess.run(
        [binary, "simulate", "-q", "--json", "--label", "Class", "--label-fraction", "0",
         model, stream],
        check=True, capture_output=True, text=True).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    summary = lines[-1]
    assert summary["type"] == "summary" and summary["labels"]["fed"] == 0
    return summary["first_drift"], summary["first_warning"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="target/release/rarewatch")
    p.add_argument("--model", required=True)
    p.add_argument("--streams", required=True)
    p.add_argument("--seeds", default="0,1,2")
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    print(f"model {a.model}; change at row {CHANGE_ROW:,}; first drift row (delay after the change)")
    print("| stream | seed | " + " | ".join(SIGNALS) + " | first label-free drift after the change |")
    print("|---|---|" + "---|" * (len(SIGNALS) + 1))
    for kind in KINDS:
        for seed in seeds:
            drift, _ = first_drift(a.bin, a.model, f"{a.streams}/{kind}-{seed}.csv")
            cells = []
            for s in SIGNALS:
                row = drift.get(s)
                if row is None:
                    cells.append("-")
                elif row >= CHANGE_ROW:
                    cells.append(f"{row:,} (+{row - CHANGE_ROW:,})")
                else:
                    cells.append(f"{row:,} (before)")
            after = [drift[s] for s in SIGNALS if drift.get(s) is not None and drift[s] >= CHANGE_ROW]
            first = f"+{min(after) - CHANGE_ROW:,}" if after else "-"
            print(f"| {kind} | {seed} | " + " | ".join(cells) + f" | {first} |")


if __name__ == "__main__":
    main()
