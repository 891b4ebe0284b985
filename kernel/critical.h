// SPDX-License-Identifier: MIT
/*
 * critical.h - interrupt-masking critical sections.
 *
 * Contract
 *   tp_critical_enter() masks every maskable interrupt (PRIMASK=1) and returns
 *   the PRIMASK value it found; tp_critical_exit(state) puts that value back.
 *   Sections therefore nest by construction: an inner exit restores "masked"
 *   and only the outermost exit unmasks.  Both are usable from thread mode and
 *   from any interrupt handler, cost a handful of instructions, and never
 *   block.  Keep the code between them short and bounded: it delays every
 *   interrupt on the part.  HardFault and NMI are not masked by PRIMASK.
 *
 *   The pair works on ARMv6-M too (CPSID/MRS/MSR exist on every profile).
 *
 *   Usage:
 *     tp_irqstate_t s = tp_critical_enter();
 *     ... touch shared state ...
 *     tp_critical_exit(s);
 */
#ifndef TP_CRITICAL_H
#define TP_CRITICAL_H

#include <stdint.h>

#include "tp_port.h"

/* The port's interrupt masking (port/cortexm/tp_port_cortexm.h), under the
 * kernel's names: the kernel's sections mask interrupts whatever lock the
 * portable layers take (TP_PORT_LOCK). */
typedef uint32_t tp_irqstate_t;

static inline tp_irqstate_t tp_critical_enter(void) { return tp_port_irq_mask(); }
static inline void tp_critical_exit(tp_irqstate_t primask) { tp_port_irq_restore(primask); }

/* True when interrupts are currently masked (inside a critical section). */
static inline int tp_in_critical(void) { return tp_port_irq_masked(); }

/* True in an exception handler (IPSR != 0), false in thread mode. */
static inline int tp_in_interrupt(void) { return tp_port_in_interrupt(); }

#endif /* TP_CRITICAL_H */
