// SPDX-License-Identifier: MIT
/*
 * fuzz_objects.c - libFuzzer target for the object layer and the collector
 * (objects/ on gc/ on alloc/'s debug build, under ASan and UBSan; built by
 * tests/fuzz/fuzz.mk).
 *
 * The input is a program over 16 slots of objects.  Each operation is one
 * byte (op % OP_COUNT) and its operands: make an int, a short or a long str,
 * a list, a dict, an instance, a tuple of two slots; link one slot into
 * another (append, dict item, attribute: cycles included); delete an item;
 * drop a slot; take a weak reference and read it; copy and deepcopy; repr
 * into a small buffer; compare; step the collector or collect a generation;
 * and make the n-th allocation from now fail (tp_heap_debug_fail_at).
 * Every call may fail for lack of memory; none may misbehave.
 *
 * After every operation: tp_heap_validate() returns 0 and neither the
 * collector nor the allocator reported an error.  At the end every slot is
 * dropped, everything collected and the free lists trimmed: the heap must be
 * back to what it held before the program ran (nothing leaked).  Any failure
 * aborts, which libFuzzer reports as a crash with the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tp_alloc.h"
#include "tp_gc.h"
#include "tp_objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_objects:%d: ", __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        abort();                                                                                   \
    } while (0)

enum { SLOTS = 16, HEAP = 24u * 1024u };
static _Alignas(8) uint8_t arena[HEAP];
static tp_obj_t *slot[SLOTS];
static const uint8_t *in;
static size_t left;
static unsigned errors;

static unsigned byte(void) {
    if (left == 0) return 0;
    left--;
    return *in++;
}

static void on_alloc_error(const tp_alloc_error_t *e, void *ctx) {
    (void)ctx;
    fprintf(stderr, "allocator: %s at %p\n", e->detail != NULL ? e->detail : "?", e->ptr);
    errors++;
}
static void on_gc_error(const char *what, const tp_obj_t *o, void *ctx) {
    (void)ctx;
    fprintf(stderr, "collector: %s (%p)\n", what, (const void *)o);
    errors++;
}

static const tp_class_t node_class = {.name = "Node"};
static const char *const names[4] = {"a", "b", "next", "items"};

/* Puts o (owned) into slot i, dropping what was there. */
static void put(unsigned i, tp_obj_t *o) {
    tp_xdecref(slot[i]);
    slot[i] = o;
}

static tp_obj_t *some(void) { return slot[byte() % SLOTS]; }

static void op(unsigned code) {
    unsigned i = byte() % SLOTS;
    tp_obj_t *a = slot[i], *b = some();
    switch (code) {
    case 0: put(i, tp_int_new((int32_t)(byte() * 1000u))); break;
    case 1: put(i, tp_str_from("short", 5)); break;
    case 2: put(i, tp_str_from("a string that is longer than any pool block", 43)); break;
    case 3: put(i, tp_list_new()); break;
    case 4: put(i, tp_dict_new()); break;
    case 5: put(i, tp_instance_new(&node_class)); break;
    case 6: {
        tp_obj_t *items[2] = {a != NULL ? a : b, b != NULL ? b : a};
        if (items[0] != NULL && items[1] != NULL) put(i, tp_tuple_new(2, items));
        break;
    }
    case 7: if (a != NULL && b != NULL) (void)tp_list_append(a, b); break;
    case 8: {
        tp_obj_t *k = tp_str_new(names[byte() % 4]);
        if (a != NULL && b != NULL && k != NULL) (void)tp_dict_set(a, k, b);
        tp_xdecref(k);
        break;
    }
    case 9: if (a != NULL && b != NULL) (void)tp_setattr(a, names[byte() % 4], b); break;
    case 10: if (a != NULL) (void)tp_list_del(a, (long)(byte() % 4u)); break;
    case 11: if (a != NULL) (void)tp_delattr(a, names[byte() % 4]); break;
    case 12: put(i, NULL); break;
    case 13: {
        tp_obj_t *w = a != NULL ? tp_weakref_new(a, NULL, NULL) : NULL;
        if (w != NULL) {
            tp_obj_t *r = tp_weakref_get(w);
            if (r != a) FAIL("a weak reference to a live object reads %p, not %p", (void *)r, (void *)a);
            tp_xdecref(r);
            put(byte() % SLOTS, w);
        }
        break;
    }
    case 14: if (a != NULL) put(byte() % SLOTS, byte() & 1u ? tp_copy(a) : tp_deepcopy(a)); break;
    case 15: {
        char buf[24];
        if (a != NULL) (void)tp_repr(a, buf, sizeof buf);
        if (a != NULL && b != NULL) (void)tp_eq(a, b);
        break;
    }
    case 16: (void)tp_gc_step(byte() % 64u); break;
    case 17: (void)tp_gc_collect((int)(byte() % 3u)); break;
    case 18: tp_heap_debug_fail_at(tp_gc_heap(), 1u + byte() % 8u); break;
    default: break;
    }
    tp_err_clear();
}
#define OP_COUNT 19

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    in = data;
    left = size;
    errors = 0;
    tp_heap_t *h = tp_heap_init(arena, sizeof arena);
    if (h == NULL || tp_gc_init(h) != 0 || tp_objects_init() != 0) FAIL("set-up");
    tp_heap_set_error_hook(h, on_alloc_error, NULL);
    tp_gc_set_error_hook(on_gc_error, NULL);
    tp_heap_stats_t st;
    tp_heap_stats(h, &st);
    size_t base = st.used_bytes;
    for (unsigned n = 0; left > 0 && n < 400u; n++) {
        op(byte() % OP_COUNT);
        if (tp_heap_validate(h) != 0) FAIL("the heap is not valid after operation %u", n);
        if (errors != 0) FAIL("an error was reported after operation %u", n);
    }
    tp_heap_debug_fail_at(h, 0);
    for (unsigned i = 0; i < SLOTS; i++) put(i, NULL);
    (void)tp_gc_collect(2);
    tp_objects_trim();
    tp_heap_stats(h, &st);
    if (st.used_bytes != base) FAIL("%zu bytes leaked", st.used_bytes - base);
    if (tp_heap_validate(h) != 0 || errors != 0) FAIL("the heap at the end");
    return 0;
}
