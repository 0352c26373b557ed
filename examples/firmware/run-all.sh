#!/usr/bin/env bash
# Builds the firmware check for Cortex-M4 (thumbv7em, QEMU mps2-an386, SMLAD kernels) and
# Cortex-M0 (thumbv6m, QEMU microbit, portable kernel), runs both under QEMU and fails if either
# fails. Each run prints one summary line; the runners in .cargo/config.toml cap QEMU at 120 s.
# Called by CI. Needs qemu-system-arm and the two rustup targets (rust-toolchain.toml lists them).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v qemu-system-arm >/dev/null; then
    echo "run-all.sh: qemu-system-arm not found (apt-get install -y qemu-system-arm)" >&2
    exit 1
fi

status=0
for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
    echo "== $target"
    if cargo run --release --quiet --target "$target"; then
        echo "== $target: ok"
    else
        echo "== $target: FAILED (exit $?)" >&2
        status=1
    fi
done
exit "$status"
