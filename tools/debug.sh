#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/debug.sh MACHINE ELF GDB [GDB-ARGS...] - the image under QEMU, halted
# at reset with its gdb stub on localhost:1234 (DEBUG_PORT to change it).
#   GDB=gdb-multiarch   gdb attaches; GDB-ARGS are passed on (for a scripted
#                       session: -batch -ex 'break main' -ex continue -ex bt)
#   GDB=none            the stub alone, until QEMU ends: attach an IDE's gdb
set -u
machine=$1 elf=$2 gdb=$3
shift 3
port=${DEBUG_PORT:-1234}
if [ "$gdb" = none ]; then
    echo "tidepool: QEMU halted at reset, gdb stub on localhost:$port (Ctrl-C ends it)" >&2
    exec qemu-system-arm -M "$machine" -display none -monitor none -serial stdio \
        -semihosting-config enable=on,target=native -kernel "$elf" -gdb "tcp::$port" -S
fi
qemu-system-arm -M "$machine" -display none -monitor none -serial stdio \
    -semihosting-config enable=on,target=native -kernel "$elf" -gdb "tcp::$port" -S </dev/null &
qemu=$!
trap 'kill $qemu 2>/dev/null' EXIT
"$gdb" "$elf" -ex "target remote :$port" "$@"
