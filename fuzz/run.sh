#!/usr/bin/env bash
# Fuzzes Model::from_bytes + predict for a fixed time (not part of CI).
# Usage: fuzz/run.sh [SECONDS=600]   needs the nightly toolchain and `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
corpus=corpus/model_from_bytes
mkdir -p "$corpus"
model=../examples/firmware/models/model.rwm
# Seeds: the reference model raw (mode byte 0) and its payload for re-wrapping (mode byte 1).
{ printf '\000'; cat "$model"; head -c 120 /dev/zero; } > "$corpus/seed-raw"
{ printf '\001'; tail -c +17 "$model"; head -c 120 /dev/zero; } > "$corpus/seed-payload"
cargo +nightly fuzz run model_from_bytes "$corpus" -- \
    -max_total_time="$seconds" -max_len=8192 -print_final_stats=1
