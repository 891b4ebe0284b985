#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/scripts/test_release.sh - what a release needs holds: the MIT
# licence at the root, an SPDX line near the top of every source file, and
# one version everywhere it is written (VERSION, port/tp_port.h, the
# CHANGELOG's latest entry).  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/result.sh

ok=0; grep -q '^MIT License' LICENSE 2>/dev/null && ok=1
result $ok "LICENSE is the MIT licence"

missing=()
while IFS= read -r f; do
    head -3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || missing+=("$f")
done < <(git ls-files 2>/dev/null | grep -E '\.(c|h|s|S|ld|mk|sh|py|cmake)$|(^|/)(Makefile|CMakeLists\.txt)$')
ok=0; [ ${#missing[@]} -eq 0 ] && ok=1
result $ok "every source file has an SPDX line${missing:+ (missing: ${missing[*]:0:5})}"

version=$(tr -d '[:space:]' <VERSION)
in_header=$(sed -n 's/^#define TP_VERSION_STRING "\(.*\)"$/\1/p' port/tp_port.h)
parts=$(sed -n 's/^#define TP_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' port/tp_port.h | paste -sd.)
latest=$(sed -n 's/^## \([0-9][0-9.]*\).*$/\1/p' CHANGELOG.md | head -1)
ok=0; [ -n "$version" ] && [ "$version" = "$in_header" ] && [ "$version" = "$parts" ] && [ "$version" = "$latest" ] && ok=1
result $ok "one version: VERSION $version, tp_port.h $in_header ($parts), CHANGELOG $latest"

summary
