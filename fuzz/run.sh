#!/usr/bin/env bash
# Fuzzes one target for a fixed time (not part of CI).
# Usage: fuzz/run.sh [SECONDS=600] [TARGET=model_from_bytes]
#   model_from_bytes  Model::from_bytes + predict on any bytes
#   monitor_ops       the monitor under any sequence of calls
# Needs the nightly toolchain and `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
target=${2:-model_from_bytes}
corpus=corpus/$target
mkdir -p "$corpus"
model=../examples/firmware/models/model.rwm
case "$target" in
    model_from_bytes)
        # Seeds: the reference model raw (mode byte 0) and its payload for re-wrapping (mode byte 1).
        { printf '\000'; cat "$model"; head -c 120 /dev/zero; } > "$corpus/seed-raw"
        { printf '\001'; tail -c +17 "$model"; head -c 120 /dev/zero; } > "$corpus/seed-payload"
        max_len=8192
        ;;
    monitor_ops)
        # Seed: about 400 calls of every kind (5 bytes each), from a fixed hash chain.
        python3 -c 'import hashlib, sys; sys.stdout.buffer.write(b"".join(
            hashlib.sha256(b"seed %d" % i).digest() for i in range(64)))' > "$corpus/seed-calls"
        max_len=20000
        ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
esac
cargo +nightly fuzz run "$target" "$corpus" -- \
    -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1
