// SPDX-License-Identifier: MIT
/*
 * tp_port_host.h - the port on the host (included by port/tp_port.h only):
 * the host tests and fuzzers are single-threaded, so the lock only counts
 * its depth (tp_port_lock_held answers from it) and nothing is an interrupt
 * handler.
 */
#ifndef TP_PORT_HOST_H
#define TP_PORT_HOST_H

#include <stdint.h>

#define TP_PORT_TARGET 0
/* (the depth count tells whether the lock is held, as masking does) */
#define TP_PORT_LOCK_MASKS_IRQS 1

typedef uint32_t tp_port_lock_t;

extern uint32_t tp_port_host_lock_depth;

static inline tp_port_lock_t tp_port_lock(void) { return tp_port_host_lock_depth++; }
static inline void tp_port_unlock(tp_port_lock_t s) { tp_port_host_lock_depth = s; }
static inline int tp_port_lock_held(void) { return tp_port_host_lock_depth != 0; }
static inline int tp_port_in_interrupt(void) { return 0; }

#endif /* TP_PORT_HOST_H */
