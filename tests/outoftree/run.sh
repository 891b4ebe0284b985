#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/outoftree/run.sh [BOARD] - an application of its own, built against
# tidepool from a folder outside the tree, both ways the README shows:
#   Make    its Makefile includes $(TIDEPOOL_DIR)/tidepool.mk
#   CMake   add_subdirectory(<tidepool>) with cmake/arm-none-eabi.cmake
# Each must build, run under QEMU (make run / the run target) and end with
# the application's status 0 and its "all checks passed" line.  The example
# is examples/sensor-log, copied to a scratch folder first.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
root=$PWD
board=${1:-netduinoplus2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. tests/result.sh
app=$work/sensor-log
cp -r examples/sensor-log "$app"

outcome() { # name status log
    local ok=0
    [ "$2" -eq 0 ] && grep -q '^sensor-log: all checks passed' "$3" && ok=1
    result $ok "out-of-tree $1: builds, runs on $board, exits 0 (status $2)" "$3"
}

# Make: the application's Makefile, TIDEPOOL_DIR a relative path to this tree
rel=$(realpath --relative-to="$app" "$root")
make -C "$app" --no-print-directory TIDEPOOL_DIR="$rel" BOARD="$board" -j2 >"$work/make.log" 2>&1 &&
    make -C "$app" --no-print-directory TIDEPOOL_DIR="$rel" BOARD="$board" run >>"$work/make.log" 2>&1
outcome Make $? "$work/make.log"

# CMake: the application's CMakeLists.txt
if command -v cmake >/dev/null 2>&1; then
    cmake -S "$app" -B "$work/cbuild" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
        -DTIDEPOOL_BOARD="$board" -DTIDEPOOL_DIR="$root" >"$work/cmake.log" 2>&1 &&
        cmake --build "$work/cbuild" -j2 >>"$work/cmake.log" 2>&1 &&
        cmake --build "$work/cbuild" --target run >>"$work/cmake.log" 2>&1
    outcome CMake $? "$work/cmake.log"
else
    result 0 "out-of-tree CMake: cmake is not installed (tools/ensure-deps.sh test installs it)"
fi
summary
