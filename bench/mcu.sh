#!/usr/bin/env bash
# MCU cost of the rarewatch runtime on the reference model 30-32-16-1 (1,488 MACs), measured
# in QEMU 7.2 with the insn_count TCG plugin (bench/qemu-plugin):
#
#   thumbv7em-none-eabihf  Cortex-M4 (DSP kernels)   qemu-system-arm -machine mps2-an386
#   thumbv6m-none-eabi     Cortex-M0 (portable)      qemu-system-arm -machine microbit
#
# For each target it builds examples/firmware (release: opt-level 3, fat LTO, 1 codegen unit)
# and reports
#   - exact instructions of one Model::predict (f32 features in, score out) and of one
#     Model::predict_quantized, each minus the cost of an empty marker region; the largest over
#     8 golden rows (they differ by a few instructions at most);
#   - instructions per MAC (1,488 MACs: unpadded weights);
#   - flash of the runtime: llvm-size of bin flash_runtime (loads the model, calls predict)
#     minus bin flash_empty (same firmware without those calls); text + data;
#   - static RAM the runtime adds (data + bss of the same difference), the scratch bytes,
#     size_of::<Model>(), and the peak stack of one predict call (stack painting).
# It checks the plugin first: a 2-instruction asm loop run 1000 and 2000 times must differ by
# exactly 2000 instructions. Then, if its tools are installed, it measures the peer in
# bench/peers (see bench/peers/README.md) with the same plugin on Cortex-M4.
#
# Output: a readable table, then as the LAST line one JSON object:
#   {"targets": [{"target", "macs", "instructions", "instructions_per_mac",
#                 "flash_runtime_bytes", "ram_bytes", ...}, ...], "peers": [...]}
# where ram_bytes = static RAM delta + scratch + size_of::<Model>() (the stack of the call is
# stack_predict_bytes, reported beside it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
firmware="$root/examples/firmware"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

host="$(cd "$root" && rustc -vV | sed -n 's/^host: //p')"
llvm_bin="$(cd "$root" && rustc --print sysroot)/lib/rustlib/$host/bin"
if [[ ! -x "$llvm_bin/llvm-size" ]]; then
    (cd "$root" && rustup component add llvm-tools) >&2
fi
export LLVM_BIN="$llvm_bin"

"$here/qemu-plugin/build.sh"
plugin="$here/qemu-plugin/libinsn_count.so"

# symbol_addr ELF NAME: the symbol's address in hex (0x...).
symbol_addr() {
    "$llvm_bin/llvm-nm" "$1" | awk -v name="$2" '$3 == name { print "0x" $1; found = 1 } END { exit !found }'
}

# run_counted ELF MACHINE CPU OUT: runs ELF under QEMU with the plugin; firmware output to
# OUT.fw, region counts to OUT.regions.
run_counted() {
    local elf="$1" machine="$2" cpu="$3" out="$4" start stop
    start="$(symbol_addr "$elf" rw_bench_start)"
    stop="$(symbol_addr "$elf" rw_bench_stop)"
    if ! timeout 300 qemu-system-arm -cpu "$cpu" -machine "$machine" -nographic \
        -semihosting-config enable=on,target=native \
        -plugin "$plugin,start=$start,stop=$stop,out=$out.regions" \
        -kernel "$elf" >"$out.fw"; then
        echo "mcu.sh: $elf failed under QEMU:" >&2
        cat "$out.fw" >&2
        exit 1
    fi
}
export -f symbol_addr run_counted

for spec in "thumbv7em-none-eabihf mps2-an386 cortex-m4" "thumbv6m-none-eabi microbit cortex-m0"; do
    read -r target machine cpu <<<"$spec"
    echo "== building $target" >&2
    (cd "$firmware" && cargo build --release --quiet --target "$target" --bins)
    elf_dir="$firmware/target/$target/release"
    run_counted "$elf_dir/bench" "$machine" "$cpu" "$work/$target"
    "$llvm_bin/llvm-size" "$elf_dir/flash_runtime" "$elf_dir/flash_empty" >"$work/$target.size"
    printf '%s %s %s\n' "$target" "$machine" "$cpu" >"$work/$target.spec"
done

peers_json="$work/peers.json"
echo '[]' >"$peers_json"
if [[ -x "$here/peers/emlearn/measure.sh" ]]; then
    if "$here/peers/emlearn/measure.sh" "$work/peer-emlearn" >"$work/peer-emlearn.log" 2>&1; then
        cp "$work/peer-emlearn/peer.json" "$peers_json"
    else
        echo "mcu.sh: peer emlearn not measured:" >&2
        tail -5 "$work/peer-emlearn.log" >&2
    fi
fi

python3 - "$work" "$peers_json" <<'PY'
import json, re, sys, pathlib

work = pathlib.Path(sys.argv[1])
peers = json.loads(pathlib.Path(sys.argv[2]).read_text())
targets = []
for spec_file in sorted(work.glob("*.spec"), reverse=True):  # thumbv7em first
    target, machine, cpu = spec_file.read_text().split()
    fw = (work / f"{target}.fw").read_text()
    counts = {}
    for line in (work / f"{target}.regions").read_text().splitlines():
        m = re.match(r"region (\d+): (\d+)$", line)
        if m:
            counts[int(m.group(1))] = int(m.group(2))
    labels = {}
    for line in fw.splitlines():
        m = re.match(r"region (\d+) (\S+) (\d+)$", line)
        if m:
            labels.setdefault(m.group(2), []).append((int(m.group(3)), counts[int(m.group(1))]))
    facts = dict(re.findall(r"^bench: (\w+) (\d+)$", fw, re.M))
    facts = {k: int(v) for k, v in facts.items()}
    if "scores match the golden vectors" not in fw:
        sys.exit(f"{target}: the bench firmware's scores do not match the golden vectors")
    empty = labels["empty"][0][1]
    loops = dict(labels["loop"])
    if loops[2000] - loops[1000] != 2000:
        sys.exit(f"{target}: plugin check failed: loop 2000 - loop 1000 = {loops[2000] - loops[1000]}")
    predict = [c - empty for _, c in labels["predict"]]
    quantized = [c - empty for _, c in labels["predict_quantized"]]
    load = labels["load"][0][1] - empty
    observe = [c - empty for _, c in labels["observe"]]
    (batch_n, batch), = labels["observe_batch"]
    (_, chunk_end), = labels["observe_chunk_end"]
    chunk_end -= empty
    # Mean per call at the default chunk of 2,048 rows: typical calls (the batch) plus the
    # chunk-end call's extra cost spread over its chunk.
    observe_mean = (batch - empty) / batch_n + (chunk_end - max(observe)) / 2048
    label_cost = [c - empty for _, c in labels["label"]]
    sizes = {}
    for line in (work / f"{target}.size").read_text().splitlines()[1:]:
        text, data, bss, *_ , name = line.split()
        sizes[pathlib.Path(name).name] = (int(text), int(data), int(bss))
    rt, em = sizes["flash_runtime"], sizes["flash_empty"]
    flash = (rt[0] + rt[1]) - (em[0] + em[1])
    static_ram = (rt[1] + rt[2]) - (em[1] + em[2])
    macs = facts["macs"]
    ram = static_ram + facts["scratch_bytes"] + facts["model_struct_bytes"]
    targets.append({
        "target": target,
        "cpu": cpu,
        "machine": machine,
        "macs": macs,
        "instructions": max(predict),
        "instructions_min": min(predict),
        "instructions_per_mac": round(max(predict) / macs, 3),
        "instructions_quantized": max(quantized),
        "instructions_per_mac_quantized": round(max(quantized) / macs, 3),
        "load_instructions": load,
        "flash_runtime_bytes": flash,
        "static_ram_bytes": static_ram,
        "scratch_bytes": facts["scratch_bytes"],
        "model_struct_bytes": facts["model_struct_bytes"],
        "ram_bytes": ram,
        "stack_predict_bytes": facts["stack_predict"],
        "stack_predict_quantized_bytes": facts["stack_predict_quantized"],
        "stack_load_bytes": facts["stack_load"],
        "model_file_bytes": facts["model_file_bytes"],
        "observe_instructions_max": max(observe),
        "observe_instructions_mean": round(observe_mean, 1),
        "observe_chunk_end_instructions": chunk_end,
        "label_instructions_max": max(label_cost),
        "monitor_bytes": facts["monitor_bytes"],
        "plugin_loop_check": "2000 iterations cost exactly 2000 more than 1000",
    })

print(f"{'target':34} {'predict':>8} {'/MAC':>6} {'quant.':>8} {'/MAC':>6} {'load':>7} "
      f"{'flash B':>8} {'RAM B':>6} {'stack B':>7} {'observe':>8} {'mean':>6} {'monitor B':>9}")
for t in targets:
    print(f"{t['target'] + ' (' + t['cpu'] + ')':34} {t['instructions']:8} {t['instructions'] / t['macs']:6.2f} "
          f"{t['instructions_quantized']:8} {t['instructions_quantized'] / t['macs']:6.2f} "
          f"{t['load_instructions']:7} {t['flash_runtime_bytes']:8} {t['ram_bytes']:6} "
          f"{t['stack_predict_bytes']:7} {t['observe_instructions_max']:8} "
          f"{t['observe_instructions_mean']:6} {t['monitor_bytes']:9}")
for p in peers:
    print(f"peer {p['engine']} ({p['cpu']}): {p['instructions']} instructions, "
          f"{p['instructions_per_mac']:.2f}/MAC, flash {p['flash_code_bytes']} code + "
          f"{p['flash_weights_bytes']} weights B, stack {p['stack_bytes']} B")
print(json.dumps({"targets": targets, "peers": peers}))
PY
