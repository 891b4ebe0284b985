// SPDX-License-Identifier: MIT
/*
 * tp_port.h - what the portable layers (alloc/, gc/, objects/) need from the
 * platform below them, and nothing else: a lock that nests, "am I in an
 * interrupt handler", a print sink, a cycle counter and the internal assert.
 *
 * One implementation per platform, chosen here and nowhere else:
 *   port/cortexm/tp_port_cortexm.h   on the target (interrupt masking, the
 *                                     kernel's console and timer)
 *   port/host/tp_port_host.h         on the host (host tests, fuzzers):
 *                                     single-threaded, stdio, no cycles
 * Each defines, as static inline functions (the allocator's fast paths take
 * the lock: it must cost no call):
 *   tp_port_lock_t tp_port_lock(void)      mask what could re-enter; returns
 *                                           the state to restore
 *   void tp_port_unlock(tp_port_lock_t s)   restore it: locks nest, only the
 *                                           outermost unlock unmasks
 *   int tp_port_lock_held(void)             whether a lock is held now (where
 *                                           TP_PORT_LOCK_MASKS_IRQS says it can tell)
 *   int tp_port_in_interrupt(void)          whether in an interrupt handler
 * and TP_PORT_TARGET (1 on the target, 0 on the host); its .c file (in the
 * same folder) defines the out-of-line functions declared below.
 * The port headers include nothing of the kernel: the portable layers see
 * only port/.
 *
 * A port for another platform (an RTOS, another core) is one more header of
 * this shape, chosen below.
 */
#ifndef TP_PORT_H
#define TP_PORT_H

#include <stdint.h>

/* tidepool's version (the VERSION file): major * 10000 + minor * 100 + patch */
#define TP_VERSION_MAJOR 0
#define TP_VERSION_MINOR 6
#define TP_VERSION_PATCH 0
#define TP_VERSION (TP_VERSION_MAJOR * 10000 + TP_VERSION_MINOR * 100 + TP_VERSION_PATCH)
#define TP_VERSION_STRING "0.6.0"

#if defined(__arm__) && !defined(TP_HOST)
#include "cortexm/tp_port_cortexm.h"
#else
#include "host/tp_port_host.h"
#endif

#ifndef TP_PORT_TARGET
#error "a port header must define TP_PORT_TARGET"
#endif

/* A printf-like sink: where reports and dumps go (tp_printf on the target,
 * printf on the host, or the program's own). */
typedef void (*tp_print_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The platform's default sink: the console on the target, stdout on the host. */
void tp_port_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A free-running cycle count (the kernel's timer on the target; 0 on the host). */
uint64_t tp_port_cycles(void);

/* ---- internal assertions ----
 * TP_ASSERT(cond) checks an invariant the code relies on.  On in host builds
 * and in the allocator's debug build, off in release target builds (where it
 * compiles to nothing: the condition is not evaluated).  TP_ASSERTS=0/1
 * forces either.  A failed assertion reports the file, line and condition
 * through tp_port_assert_failed, which does not return. */
#ifndef TP_ASSERTS
#if defined(TP_HOST) || (defined(TP_ALLOC_DEBUG) && TP_ALLOC_DEBUG)
#define TP_ASSERTS 1
#else
#define TP_ASSERTS 0
#endif
#endif

__attribute__((noreturn, cold)) void tp_port_assert_failed(const char *file, int line,
                                                           const char *cond);

#if TP_ASSERTS
#define TP_ASSERT(cond) \
    ((cond) ? (void)0 : tp_port_assert_failed(__FILE__, __LINE__, #cond))
#else
#define TP_ASSERT(cond) ((void)0)
#endif


#endif /* TP_PORT_H */
