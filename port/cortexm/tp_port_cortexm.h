/*
 * tp_port_cortexm.h - the port on a Cortex-M target (included by
 * port/tp_port.h only).  The lock masks every maskable interrupt (PRIMASK)
 * and returns the PRIMASK it found, so it is safe against any handler and
 * nests by construction: an inner unlock restores "masked", only the
 * outermost one unmasks.  HardFault and NMI are not masked.  Every
 * instruction used exists on ARMv6-M too.  The kernel's critical sections
 * (kernel/critical.h) are these.
 */
#ifndef TP_PORT_CORTEXM_H
#define TP_PORT_CORTEXM_H

#include <stdint.h>

#define TP_PORT_TARGET 1

typedef uint32_t tp_port_lock_t;

static inline tp_port_lock_t tp_port_lock(void) {
    tp_port_lock_t primask;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void tp_port_unlock(tp_port_lock_t primask) {
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
}

static inline int tp_port_lock_held(void) {
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

#endif /* TP_PORT_CORTEXM_H */
