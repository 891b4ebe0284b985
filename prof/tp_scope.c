// SPDX-License-Identifier: MIT
/*
 * tp_scope.c - scope marks (prof/tp_scope.h).  The heap's peak and the
 * stack's depth are measured in windows: begin closes the enclosing
 * window (keeping what it saw so far), end closes this scope's and hands
 * the enclosing window the larger of the two, so nesting loses nothing.
 */
#include "tp_scope.h"
#include "tp_port.h"

#if TP_PORT_TARGET
#include "stack.h"
#include "timer.h"
#define HAVE_STACK_AND_TIMER 1
#else
#define HAVE_STACK_AND_TIMER 0
#endif

void tp_scope_begin(tp_scope_t *s, tp_heap_t *heap, const char *name) {
    if (s == NULL) return;
    *s = (tp_scope_t){0};
    if (heap == NULL) return;
    s->name = name != NULL ? name : "scope";
    s->heap = heap;
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    s->footprint_begin = st.footprint;
    s->used_begin = st.used_bytes;
    s->outer_peak = tp_heap_reset_peak(heap, 0);
#if HAVE_STACK_AND_TIMER
    s->outer_stack = tp_stack_window_reset();
    s->time_begin = tp_timer_cycles();
#endif
    s->open = 1;
}

void tp_scope_end(tp_scope_t *s) {
    if (s == NULL || !s->open) return;
#if HAVE_STACK_AND_TIMER
    s->cycles = tp_timer_cycles() - s->time_begin;
    s->stack_peak = tp_stack_window_reset();
    tp_stack_window_carry(s->stack_peak > s->outer_stack ? s->stack_peak : s->outer_stack);
#endif
    s->peak = tp_heap_reset_peak(s->heap, 0);
    (void)tp_heap_reset_peak(s->heap, s->peak > s->outer_peak ? s->peak : s->outer_peak);
    tp_heap_stats_t st;
    tp_heap_stats(s->heap, &st);
    s->footprint_end = st.footprint;
    s->used_end = st.used_bytes;
    s->open = 0;
}

long tp_scope_net_footprint(const tp_scope_t *s) {
    return (long)s->footprint_end - (long)s->footprint_begin;
}

long tp_scope_net_used(const tp_scope_t *s) { return (long)s->used_end - (long)s->used_begin; }

void tp_scope_print(const tp_scope_t *s,
                    tp_print_fn print) {
    if (s == NULL || s->heap == NULL) return;
    if (s->open) {
        print("SCOPE %s: still open\n", s->name);
        return;
    }
    print("SCOPE %s: heap %lu -> %lu B (net %+ld), peak %lu B (%+ld over the start); "
          "handed out net %+ld B; stack peak %lu B; %lu cycles\n",
          s->name, (unsigned long)s->footprint_begin, (unsigned long)s->footprint_end,
          tp_scope_net_footprint(s), (unsigned long)s->peak,
          (long)s->peak - (long)s->footprint_begin, tp_scope_net_used(s),
          (unsigned long)s->stack_peak, (unsigned long)s->cycles);
}
