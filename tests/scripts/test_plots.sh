#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/scripts/test_plots.sh - the benchmark plots (bench/plots/) on the
# synthetic input of tests/scripts/data/plots/, their images checked pixel by
# pixel against the data (tests/scripts/check_plots.py).  Ends with
# "N passed, N failed"; exits non-zero on a failure.
cd "$(dirname "$0")/../.." || exit 1
if ! tools/py -c 'import matplotlib' 2>/dev/null; then
    echo "FAIL matplotlib: Debian's python3-matplotlib is missing (tools/ensure-deps.sh installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi
exec tools/py tests/scripts/check_plots.py
