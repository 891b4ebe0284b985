/*
 * tp_port_cortexm.h - the port on a Cortex-M target (included by
 * port/tp_port.h only).  The lock masks every maskable interrupt
 * (PRIMASK), so it is safe against any handler and nests by construction;
 * HardFault and NMI are not masked.  The cycle counter is the kernel's
 * (DWT CYCCNT or the extended SysTick, kernel/timer.h).
 */
#ifndef TP_PORT_CORTEXM_H
#define TP_PORT_CORTEXM_H

#include <stdint.h>

#include "critical.h"
#include "timer.h"

#define TP_PORT_TARGET 1

typedef tp_irqstate_t tp_port_lock_t;

static inline tp_port_lock_t tp_port_lock(void) { return tp_critical_enter(); }
static inline void tp_port_unlock(tp_port_lock_t s) { tp_critical_exit(s); }
static inline int tp_port_lock_held(void) { return tp_in_critical(); }
static inline int tp_port_in_interrupt(void) { return tp_in_interrupt(); }
static inline uint64_t tp_port_cycles(void) { return tp_timer_cycles(); }

#endif /* TP_PORT_CORTEXM_H */
