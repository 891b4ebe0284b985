#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/ensure-deps.sh PURPOSE [--install] - the Debian packages a purpose
# needs: checks them, and with --install installs the missing ones (saying
# so first).  Without --install a missing package is named with the command
# that installs it, and the script fails.
#
#   build    the ARM toolchain and newlib-nano (make, out-of-tree builds)
#   run      build + QEMU                                   (make run)
#   debug    run + gdb-multiarch                            (make debug)
#   flash    build + st-flash and OpenOCD                   (make flash)
#   host     the host compiler                              (make host-test)
#   fuzz     clang with libFuzzer and the sanitizers        (make fuzz)
#   plots    Debian's python3 with matplotlib               (make heapmap)
#   bench    run + plots                                    (make bench)
#   test     everything make test runs: run, host, fuzz, plots, and CMake
#            (the out-of-tree example is built both ways)
#   all      every package above                            (make deps)
#
# Installing: as root with apt-get, otherwise with sudo when it needs no
# password; when neither can, the packages are named and nothing claims to
# be installing.
set -euo pipefail

purpose=${1:-all}
install=0
[ "${2:-}" = --install ] && install=1

need=()
have() { command -v "$1" >/dev/null 2>&1; }

want_build() {
    have make || need+=(make)
    have arm-none-eabi-gcc || need+=(gcc-arm-none-eabi)
    if ! have arm-none-eabi-gcc ||
        [ ! -f "$(arm-none-eabi-gcc -print-file-name=libc_nano.a 2>/dev/null)" ]; then
        need+=(libnewlib-arm-none-eabi)
    fi
    have arm-none-eabi-addr2line || need+=(binutils-arm-none-eabi)
}
want_run() { want_build; have qemu-system-arm || need+=(qemu-system-arm); }
want_debug() { want_run; have gdb-multiarch || need+=(gdb-multiarch); }
want_flash() {
    want_build
    have st-flash || need+=(stlink-tools)
    have openocd || need+=(openocd)
}
want_host() { have gcc || need+=(gcc); }
want_cmake() { have cmake || need+=(cmake); }
want_fuzz() {
    if ! have clang; then
        need+=(clang libclang-rt-dev)
    elif ! ls "$(clang -print-resource-dir)"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
        need+=("libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev")
    fi
}
want_plots() {
    # the host scripts run under Debian's python3 (tools/py), where apt puts matplotlib
    if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
        need+=(python3 python3-matplotlib)
    fi
}

case $purpose in
build) want_build ;;
run) want_run ;;
debug) want_debug ;;
flash) want_flash ;;
host) want_build; want_host ;;
fuzz) want_fuzz ;;
plots) want_plots ;;
bench) want_run; want_plots ;;
test) want_run; want_host; want_fuzz; want_plots; want_cmake ;;
all) want_debug; want_flash; want_host; want_fuzz; want_plots; want_cmake ;;
*) echo "tools/ensure-deps.sh: unknown purpose '$purpose'" >&2; exit 2 ;;
esac

[ ${#need[@]} -eq 0 ] && exit 0
# (each package once, in order)
mapfile -t need < <(printf '%s\n' "${need[@]}" | awk '!seen[$0]++')

if [ $install = 1 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif have sudo && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    else
        install=0
    fi
fi
if [ $install = 0 ]; then
    echo "tidepool: '$purpose' needs Debian packages that are missing: ${need[*]}" >&2
    echo "tidepool: install them with: sudo apt-get install ${need[*]}   (or: make deps, as root)" >&2
    exit 1
fi
echo "tidepool: installing the Debian packages '$purpose' needs: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
