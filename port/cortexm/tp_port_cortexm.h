// SPDX-License-Identifier: MIT
/*
 * tp_port_cortexm.h - the port on a Cortex-M target (included by
 * port/tp_port.h only).  Every instruction used exists on ARMv6-M too.
 *
 * Interrupt masking (PRIMASK), which the kernel's critical sections are
 * (kernel/critical.h): tp_port_irq_mask returns the PRIMASK it found,
 * tp_port_irq_restore puts it back, so sections nest by construction.
 * HardFault and NMI are not masked.
 *
 * The lock the portable layers take (tp_port_lock), chosen by TP_PORT_LOCK:
 *   TP_PORT_LOCK_IRQ     (default) interrupt masking: safe against any
 *                        handler that allocates, and nests
 *   TP_PORT_LOCK_HOOK    the program's functions, which must nest:
 *                          uint32_t tp_lock_enter(void);
 *                          void tp_lock_exit(uint32_t state);
 *                        (an RTOS critical section or a recursive mutex;
 *                        docs/dropin.md has FreeRTOS and CMSIS-RTOS2 ones)
 *   TP_PORT_LOCK_NEWLIB  newlib's __malloc_lock/__malloc_unlock (recursive):
 *                        whatever the program or its RTOS port made of them
 * Only interrupt masking makes allocating from an interrupt handler safe.
 */
#ifndef TP_PORT_CORTEXM_H
#define TP_PORT_CORTEXM_H

#include <stdint.h>

#define TP_PORT_TARGET 1

#define TP_PORT_LOCK_IRQ 0
#define TP_PORT_LOCK_HOOK 1
#define TP_PORT_LOCK_NEWLIB 2
#ifndef TP_PORT_LOCK
#define TP_PORT_LOCK TP_PORT_LOCK_IRQ
#endif

static inline uint32_t tp_port_irq_mask(void) {
    uint32_t primask;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void tp_port_irq_restore(uint32_t primask) {
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
}

static inline int tp_port_irq_masked(void) {
    uint32_t primask;
    __asm volatile("mrs %0, primask" : "=r"(primask));
    return (primask & 1u) != 0;
}

/* IPSR is the active exception's number: 0 in thread mode. */
static inline int tp_port_in_interrupt(void) {
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr != 0u;
}

typedef uint32_t tp_port_lock_t;

#if TP_PORT_LOCK == TP_PORT_LOCK_IRQ
/* the lock masks interrupts: tp_port_lock_held can tell */
#define TP_PORT_LOCK_MASKS_IRQS 1
static inline tp_port_lock_t tp_port_lock(void) { return tp_port_irq_mask(); }
static inline void tp_port_unlock(tp_port_lock_t s) { tp_port_irq_restore(s); }
static inline int tp_port_lock_held(void) { return tp_port_irq_masked(); }
#elif TP_PORT_LOCK == TP_PORT_LOCK_HOOK
uint32_t tp_lock_enter(void);
void tp_lock_exit(uint32_t state);
static inline tp_port_lock_t tp_port_lock(void) { return tp_lock_enter(); }
static inline void tp_port_unlock(tp_port_lock_t s) { tp_lock_exit(s); }
#elif TP_PORT_LOCK == TP_PORT_LOCK_NEWLIB
struct _reent;
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);
extern struct _reent *_impure_ptr;
static inline tp_port_lock_t tp_port_lock(void) {
    __malloc_lock(_impure_ptr);
    return 0;
}
static inline void tp_port_unlock(tp_port_lock_t s) {
    (void)s;
    __malloc_unlock(_impure_ptr);
}
#else
#error "TP_PORT_LOCK is TP_PORT_LOCK_IRQ, TP_PORT_LOCK_HOOK or TP_PORT_LOCK_NEWLIB"
#endif

#endif /* TP_PORT_CORTEXM_H */
