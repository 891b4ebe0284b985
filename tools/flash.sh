#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/flash.sh TOOL OPENOCD_TARGET FLASH_ADDR IMAGE_BASE - writes an image
# to a board: st-flash takes the .bin at FLASH_ADDR, OpenOCD the .elf.
set -euo pipefail
tool=$1 target=$2 addr=$3 base=$4
case "$tool" in
st-flash)
    exec st-flash --reset write "$base.bin" "$addr"
    ;;
openocd)
    iface=${OPENOCD_INTERFACE:-interface/stlink.cfg}
    [ "$target" = target/nrf51.cfg ] && iface=${OPENOCD_INTERFACE:-interface/cmsis-dap.cfg}
    exec openocd -f "$iface" -f "$target" -c "program $base.elf verify reset exit"
    ;;
"")
    echo "this board has no flash method (it runs under QEMU only)" >&2
    exit 1
    ;;
*)
    echo "unknown flash tool '$tool'" >&2
    exit 1
    ;;
esac
