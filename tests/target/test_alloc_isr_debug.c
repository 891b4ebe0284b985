// SPDX-License-Identifier: MIT
/*
 * test_alloc_isr_debug.c - test_alloc_isr.c on the allocator's debug build
 * (test images named *_debug.c are built with TP_ALLOC_DEBUG=1): its guards,
 * quarantine and checks under an interrupt that allocates too.
 */
#include "tests/target/test_alloc_isr.c"
