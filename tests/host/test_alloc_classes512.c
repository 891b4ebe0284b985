// SPDX-License-Identifier: MIT
/*
 * test_alloc_classes512.c - the allocator's host suite (test_alloc.c) again,
 * with pymalloc's size classes: 64 classes of 8 to 512
 * bytes, in 2 KiB pools (tests/host/host.mk sets TP_ALLOC_SMALL_MAX=512,
 * TP_ALLOC_POOL_SHIFT=11 and a 256 KiB heap for this binary).  The default
 * is 32 bytes, chosen by measurement (docs/alloc.md, "A 512-byte threshold"); this keeps the other setting working.
 */
#define SUITE_NAME "alloc, classes up to 512 bytes (host)"
#include "test_alloc.c"
