// SPDX-License-Identifier: MIT
/*
 * tp_scope.h - scope marks: memory over time without an interpreter (the
 * memory_profiler idea).  tp_scope_begin/tp_scope_end around a piece of code
 * report, for a heap, what it took at its peak and what it left behind, and
 * on the target the deepest the thread stack went and the time it took:
 *
 *   tp_scope_t s;
 *   tp_scope_begin(&s, heap, "parse config");
 *   ... the code ...
 *   tp_scope_end(&s);
 *   tp_scope_print(&s, print);
 *   -> SCOPE parse config: heap 1216 -> 1448 B (net +232), peak 3264 B (+2048 over the start);
 *      stack peak 412 B; 18211 cycles
 *
 * "Heap" is the heap's footprint: the bytes taken from its large-block level
 * (large blocks with their headers, and whole pools), the memory no one else
 * can have; used_bytes (what was handed out) is reported as the net change.
 * Scopes nest: each reports its own peak, and an enclosing scope's peak
 * includes its inner scopes'.  The heap's own footprint_peak and the stack's
 * since-boot high-water mark keep their meaning.  Thread context; begin and
 * end cost O(1) for the heap, and a repaint of the unused thread stack
 * (O(stack)) for the stack figure.  An interrupt handler's allocations
 * count in the scope they interrupt.
 */
#ifndef TP_SCOPE_H
#define TP_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "tp_alloc.h"

typedef struct {
    const char *name;
    tp_heap_t *heap;
    /* at begin */
    size_t footprint_begin, used_begin;
    size_t outer_peak;   /* the enclosing window's heap peak so far */
    size_t outer_stack;  /* the enclosing window's stack depth so far */
    uint64_t time_begin;
    /* at end */
    size_t footprint_end, used_end;
    size_t peak;         /* highest footprint between begin and end */
    size_t stack_peak;   /* deepest thread-stack use between them (target; 0 on the host) */
    uint64_t cycles;     /* timer cycles between them (target; 0 on the host) */
    int open;
} tp_scope_t;

void tp_scope_begin(tp_scope_t *s, tp_heap_t *heap, const char *name);
/* Ends the scope; a scope not begun (or already ended) is left as it is. */
void tp_scope_end(tp_scope_t *s);
/* Signed net changes. */
long tp_scope_net_footprint(const tp_scope_t *s);
long tp_scope_net_used(const tp_scope_t *s);
/* One line, "SCOPE name: ...". */
void tp_scope_print(const tp_scope_t *s,
                    tp_print_fn print);

#endif /* TP_SCOPE_H */
