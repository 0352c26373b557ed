#!/usr/bin/env bash
# Drift benchmark end to end (issue 4, item 7): the Rust bench (rarewatch's monitor on seeded
# synthetic streams), River's detectors on the same streams, and the summary tables.
#
#   bench/drift/run.sh [--quick] [--seeds-factor K] [--skip-river] [--jobs N]
#
# Outputs in bench/drift/out/: ours.json, streams/, river.json, summary.md (printed at the end).
# x4 seeds (--seeds-factor 4): 37 min for the Rust bench and 54 min for River on 2 cores
# (2026-12-04, other work beside it); the default run has a quarter of the seeds.
set -euo pipefail
cd "$(dirname "$0")"

quick=()
river=1
jobs=2
river_args=(--sweep)
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=(--quick); river_args+=(--all-rows-seeds 2 --all-rows-seeds-hddm-a 1 --all-rows-after 200000) ;;
        --skip-river) river=0 ;;
        --seeds-factor) quick+=(--seeds-factor "$2"); shift ;;
        --jobs) jobs="$2"; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

mkdir -p out
cargo build --release --quiet
./target/release/rarewatch-drift-bench "${quick[@]}" --out out --threads "$jobs" > out/ours.txt 2> out/ours.log

python=python3
if [ "$river" = 1 ]; then
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
        .venv/bin/pip install --quiet 'river==0.26.1' numpy
    fi
    python=.venv/bin/python
    "$python" river_peer.py --streams out/streams --out out/river.json --jobs "$jobs" "${river_args[@]}" 2> out/river.log
else
    rm -f out/river.json
fi
"$python" summarize.py --ours out/ours.json --river out/river.json > out/summary.md
cat out/summary.md
