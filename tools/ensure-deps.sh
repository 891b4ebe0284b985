#!/usr/bin/env bash
# Installs the Debian packages tidepool needs when they are missing.
#   tools/ensure-deps.sh          toolchain, newlib-nano, QEMU, gdb-multiarch, host gcc,
#                                 clang with libFuzzer (libclang-rt), Debian's python3
#                                 with matplotlib (the pictures: make heapmap, make bench)
#   tools/ensure-deps.sh flash    also st-flash and OpenOCD
# As root it runs apt-get; otherwise it uses sudo when that needs no password;
# otherwise it names the missing packages and fails.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }

have arm-none-eabi-gcc || need+=(gcc-arm-none-eabi)
if ! have arm-none-eabi-gcc || [ ! -f "$(arm-none-eabi-gcc -print-file-name=libc_nano.a 2>/dev/null)" ]; then
    need+=(libnewlib-arm-none-eabi)
fi
have qemu-system-arm || need+=(qemu-system-arm)
have gdb-multiarch || need+=(gdb-multiarch)
have gcc || need+=(gcc)
# clang with libFuzzer and the sanitizer runtimes (make fuzz, make test)
if ! have clang; then
    need+=(clang libclang-rt-dev)
elif ! ls "$(clang -print-resource-dir)"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
    need+=("libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev")
fi
have make || need+=(make)
have python3 || need+=(python3)
# the host scripts run under Debian's python3 (tools/py), where apt puts matplotlib
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
    need+=(python3 python3-matplotlib)
fi
have arm-none-eabi-addr2line || need+=(binutils-arm-none-eabi)
if [ "${1:-}" = flash ]; then
    have st-flash || need+=(stlink-tools)
    have openocd || need+=(openocd)
fi

[ ${#need[@]} -eq 0 ] && exit 0

echo "tidepool: installing missing Debian packages: ${need[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif have sudo && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "tidepool: missing packages: ${need[*]}" >&2
    echo "tidepool: run as root, or: sudo apt-get install ${need[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
