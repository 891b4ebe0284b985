#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/link/run.sh OBJ... - the linker script's checks for one board.
# Environment (set by `make link-test`): BOARD BUILD CC CFLAGS LDFLAGS LIBS.
# The objects and the libraries (LIBS: the layers' archives as the link
# line gives them) are a complete image (kernel + demo).  Prints "pass ..." per
# check; exits non-zero if any check fails.
set -u
objs=("$@")
dir="$BUILD/link-test"
mkdir -p "$dir"
fails=0

check_fails_with() { # name message-regex extra-args...
    local name=$1 re=$2
    shift 2
    if $CC $LDFLAGS "${objs[@]}" "$@" $LIBS -o "$dir/bad.elf" >"$dir/$name.log" 2>&1; then
        echo "FAIL $BOARD link: $name: the link succeeded, it must fail"
        fails=$((fails + 1))
    elif grep -Eq -- "$re" "$dir/$name.log"; then
        echo "pass $BOARD link: $name fails with: $(grep -Eo -- "$re.*" "$dir/$name.log" | head -1)"
    else
        echo "FAIL $BOARD link: $name: no message matching /$re/:"
        sed 's/^/    | /' "$dir/$name.log"
        fails=$((fails + 1))
    fi
}

# positive control: the defaults link
if ! $CC $LDFLAGS "${objs[@]}" $LIBS -o "$dir/good.elf" >"$dir/good.log" 2>&1; then
    echo "FAIL $BOARD link: the default memory map does not link:"
    sed 's/^/    | /' "$dir/good.log"
    exit 1
fi
echo "pass $BOARD link: default memory map links"

sym() { arm-none-eabi-nm "$dir/good.elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
ram=$(($(sym __ram_end) - $(sym __ram_start)))
flash=$(($(sym __flash_end) - $(sym __flash_start)))

check_fails_with stack-bigger-than-ram "tidepool: RAM over-committed" -Wl,--defsym=__stack_size=$ram
check_fails_with heap-minimum-bigger-than-ram "tidepool: RAM over-committed" \
    -Wl,--defsym=__heap_min_size=$ram
check_fails_with guard-not-power-of-two "tidepool: __stack_guard_size must be a power of two" \
    -Wl,--defsym=__stack_guard_size=48

$CC $CFLAGS -DHOG_BYTES=$((flash + 4)) -c tests/link/flash_hog.c -o "$dir/flash_hog.o"
check_fails_with code-bigger-than-flash "tidepool: code and constants do not fit in FLASH" \
    "$dir/flash_hog.o" -Wl,--undefined=flash_hog
rm -f "$dir/flash_hog.o" "$dir/bad.elf"

# malloc is tidepool's: newlib-nano's allocator must not be in an image that
# allocates through malloc and through stdio
$CC $CFLAGS -c tests/link/uses_malloc.c -o "$dir/uses_malloc.o"
if ! $CC $LDFLAGS "${objs[@]}" "$dir/uses_malloc.o" $LIBS -Wl,--undefined=uses_malloc \
    -Wl,-Map="$dir/uses_malloc.map" -o "$dir/uses_malloc.elf" >"$dir/uses_malloc.log" 2>&1; then
    echo "FAIL $BOARD link: an image using malloc does not link:"
    sed 's/^/    | /' "$dir/uses_malloc.log"
    fails=$((fails + 1))
elif grep -Eq 'nano-mallocr|nano-freer|lib_a-malloc\.o|lib_a-sbrkr' "$dir/uses_malloc.map"; then
    echo "FAIL $BOARD link: newlib's malloc is linked:"
    grep -E 'nano-mallocr|nano-freer|lib_a-malloc\.o|lib_a-sbrkr' "$dir/uses_malloc.map" | head -5 | sed 's/^/    | /'
    fails=$((fails + 1))
elif ! arm-none-eabi-nm "$dir/uses_malloc.elf" | grep -q ' T tp_heap_alloc$' ||
    ! grep -A1 -E '^ *\.text\._malloc_r( |$)' "$dir/uses_malloc.map" | grep -q 'libc_malloc\.o'; then
    echo "FAIL $BOARD link: _malloc_r does not come from libc/libc_malloc.o"
    fails=$((fails + 1))
else
    echo "pass $BOARD link: malloc and stdio's _malloc_r are tidepool's (newlib's malloc not linked)"
fi
[ $fails -eq 0 ]
