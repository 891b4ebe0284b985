#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/qemu-run.sh TIMEOUT QEMU-ARGS... - runs an image under QEMU and ends
# with the program's exit status.  A semihosted image ends QEMU itself with
# its status.  An image without semihosting (CONSOLE=uart SEMIHOSTING=0)
# cannot: the kernel prints "[tidepool] program exited with status N" and
# sleeps, so this script watches the output for that line, stops QEMU and
# exits with N.  A run that outlives TIMEOUT seconds ends with status 124.
# With SYMBOLIZE_ELF set, the addresses of fault reports and heap errors are
# named (tools/symbolize.sh).
set -u
timeout_s=$1
shift
fifo=$(mktemp -u)
mkfifo "$fifo"
trap 'rm -f "$fifo"' EXIT
timeout "$timeout_s" qemu-system-arm "$@" </dev/null >"$fifo" 2>&1 &
qemu=$!
status=""
show() {
    if [ -n "${SYMBOLIZE_ELF:-}" ]; then
        printf '%s\n' "$1" | "$(dirname "$0")/symbolize.sh" "$SYMBOLIZE_ELF"
    else
        printf '%s\n' "$1"
    fi
}
while IFS= read -r line || [ -n "$line" ]; do
    show "$line"
    case $line in
    *"[tidepool] program exited with status "*)
        status=${line##*status }
        status=${status%%[!0-9-]*}
        kill "$qemu" 2>/dev/null
        break ;;
    esac
done <"$fifo"
if [ -n "$status" ]; then
    wait "$qemu" 2>/dev/null
    exit "$status"
fi
wait "$qemu"
