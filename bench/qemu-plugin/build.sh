#!/usr/bin/env bash
# Builds libinsn_count.so next to this script (gcc, no QEMU headers needed).
set -euo pipefail
cd "$(dirname "$0")"
gcc -O2 -Wall -Wextra -shared -fPIC -o libinsn_count.so insn_count.c
