#!/usr/bin/env bash
# Measures emlearn's MLP (30-32-16-1, float32) on Cortex-M4 the way bench/mcu.sh measures
# rarewatch. Needs: python3 with emlearn and scikit-learn (pip install emlearn scikit-learn),
# arm-none-eabi-gcc with newlib (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi),
# qemu-system-arm, and LLVM_BIN (llvm-nm, llvm-size; set by bench/mcu.sh).
# usage: measure.sh OUT_DIR   -> OUT_DIR/peer.json (a JSON list with one object)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
plugin="$here/../../qemu-plugin/libinsn_count.so"
[[ -f "$plugin" ]] || "$here/../../qemu-plugin/build.sh"
: "${LLVM_BIN:?set LLVM_BIN to the rustup llvm-tools bin directory}"

# emlearn compiles a check program under ./tmp: run it inside the output directory.
(cd "$out" && python3 "$here/gen_model.py" "$out") >&2
include="$(python3 -c 'import emlearn; print(emlearn.includedir)')"
version="$(python3 -c 'import emlearn; print(emlearn.__version__)')"
cflags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O3 -g
        -ffunction-sections -fdata-sections -nostartfiles --specs=nosys.specs
        -Wl,--gc-sections -T "$here/mps2-an386.ld" -I "$out" -I "$include")
arm-none-eabi-gcc "${cflags[@]}" -DWITH_MODEL -o "$out/peer.elf" "$here/main.c" -lm
arm-none-eabi-gcc "${cflags[@]}" -o "$out/empty.elf" "$here/main.c" -lm

start="$("$LLVM_BIN/llvm-nm" "$out/peer.elf" | awk '$3 == "rw_bench_start" { print "0x" $1 }')"
stop="$("$LLVM_BIN/llvm-nm" "$out/peer.elf" | awk '$3 == "rw_bench_stop" { print "0x" $1 }')"
timeout 120 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
    -semihosting-config enable=on,target=native \
    -plugin "$plugin,start=$start,stop=$stop,out=$out/regions.txt" \
    -kernel "$out/peer.elf" >"$out/fw.txt" 2>&1
"$LLVM_BIN/llvm-size" "$out/peer.elf" "$out/empty.elf" >"$out/size.txt"

python3 - "$out" "$version" >"$out/peer.json" <<'PY'
import json, pathlib, re, sys
out, version = pathlib.Path(sys.argv[1]), sys.argv[2]
counts = {int(a): int(b) for a, b in re.findall(r"^region (\d+): (\d+)$", (out / "regions.txt").read_text(), re.M)}
fw = (out / "fw.txt").read_text()
labels = [(w, int(i), counts[int(n)]) for n, w, i in re.findall(r"^region (\d+) (\w+) (\d+)$", fw, re.M)]
empty = [c for w, _, c in labels if w == "empty"][0]
predict = [c - empty for w, _, c in labels if w == "predict"]
facts = {k: int(v) for k, v in re.findall(r"^bench: (\w+) (\d+)$", fw, re.M)}
sizes = {}
for line in (out / "size.txt").read_text().splitlines()[1:]:
    text, data, bss, *_, name = line.split()
    sizes[pathlib.Path(name).stem] = (int(text), int(data), int(bss))
p, e = sizes["peer"], sizes["empty"]
flash = (p[0] + p[1]) - (e[0] + e[1])
macs = 30 * 32 + 32 * 16 + 16
print(json.dumps([{
    "engine": f"emlearn {version} (eml_net.h, float32, arm-none-eabi-gcc -O3)",
    "target": "thumbv7em-none-eabihf", "cpu": "cortex-m4", "machine": "mps2-an386",
    "macs": macs,
    "instructions": max(predict), "instructions_min": min(predict),
    "instructions_per_mac": round(max(predict) / macs, 3),
    "flash_runtime_bytes": flash,
    "flash_weights_bytes": facts["weights_bytes"],
    "flash_code_bytes": flash - facts["weights_bytes"],
    "static_ram_bytes": (p[1] + p[2]) - (e[1] + e[2]),
    "stack_bytes": facts["stack_predict"],
}]))
PY
cat "$out/peer.json"
