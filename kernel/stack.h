// SPDX-License-Identifier: MIT
/*
 * stack.h - stack painting, high-water marks and overflow detection.
 *
 * At reset both stacks are painted with TP_STACK_PAINT; the high-water mark
 * is the lowest word that no longer holds the pattern.  The guard below the
 * thread stack is enforced by the best mechanism the core has:
 *   ARMv8-M Mainline  PSPLIM/MSPLIM: any push below the limit faults (STKOF)
 *   ARMv7-M with MPU  a no-access MPU region: MemManage fault on first touch
 *   otherwise         a canary pattern, checked by tp_stack_check() from the
 *                     SysTick handler, at exit and in the fault handler
 * An MPU guard is TP guard-size bytes: a single frame larger than the guard
 * can step over it; the PSPLIM mechanism has no such gap.
 */
#ifndef TP_STACK_H
#define TP_STACK_H

#include <stddef.h>
#include <stdint.h>

#define TP_STACK_PAINT 0xA5A5A5A5u
#define TP_STACK_CANARY 0x57AC6E11u

typedef enum {
    TP_GUARD_NONE = 0,
    TP_GUARD_CANARY,  /* software check */
    TP_GUARD_MPU,     /* ARMv7-M MPU region */
    TP_GUARD_SPLIM,   /* ARMv8-M stack limit registers */
} tp_guard_kind_t;

/* Called once by the reset handler (on the handler stack, before main). */
void tp_stack_init(void);

tp_guard_kind_t tp_stack_guard_kind(void);
const char *tp_stack_guard_name(void);

size_t tp_stack_size(void);          /* thread stack, bytes */
size_t tp_stack_high_water(void);    /* deepest thread-stack use so far, bytes */
/* Windows for scope marks (prof/tp_scope.h): tp_stack_window_reset returns
 * the deepest thread-stack use since the last reset (or boot), and repaints
 * the stack below the current stack pointer so the next window starts
 * afresh; tp_stack_high_water keeps counting since boot.  A window that
 * encloses another gets the inner one's depth back with
 * tp_stack_window_carry.  Thread context; O(stack). */
size_t tp_stack_window_reset(void);
void tp_stack_window_carry(size_t depth);
size_t tp_handler_stack_size(void);
size_t tp_handler_stack_high_water(void);

/* Returns 0 when the canary is intact (or the guard is hardware).  When the
 * canary is damaged it reports a stack overflow and exits (it returns 1 only
 * if called again while that report is on its way out). */
int tp_stack_check(void);

/* True if addr lies in the guard below the thread stack. */
int tp_stack_in_guard(uintptr_t addr);

/* Reports a detected overflow and ends the program (exit status TP_EXIT_STACK_OVERFLOW). */
__attribute__((noreturn)) void tp_stack_overflow(const char *how, uintptr_t where);

#endif /* TP_STACK_H */
