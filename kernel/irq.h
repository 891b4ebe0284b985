// SPDX-License-Identifier: MIT
/*
 * irq.h - device interrupts: enable, disable, pend, priority; and, on a board
 * whose board.mk names its part's interrupt table (IRQ_NAMES), the numbers by
 * the vendor's names (TP_IRQN_USART1 is 37 on an STM32F4) and the
 * declarations of the vendor-named handlers.
 *
 * A handler is a function named IRQ<n>_Handler, or on such a board the
 * vendor's NAME_IRQHandler (see startup.c).  These work on every core,
 * ARMv6-M included.
 */
#ifndef TP_IRQ_H
#define TP_IRQ_H

#include <stdint.h>

#include "cortexm.h"
#include "critical.h"

#ifdef TP_IRQ_TABLE
#define TP_IRQ_STRINGIFY_(x) #x
#define TP_IRQ_STRINGIFY(x) TP_IRQ_STRINGIFY_(x)
#include TP_IRQ_STRINGIFY(irq_names/TP_IRQ_TABLE.h)
#define TP_IRQN_ENUM(n, name) TP_IRQN_##name = n,
enum tp_irqn { TP_IRQ_NAMES(TP_IRQN_ENUM) };
#undef TP_IRQN_ENUM
#define TP_IRQ_HANDLER_DECL(n, name) void name##_IRQHandler(void);
TP_IRQ_NAMES(TP_IRQ_HANDLER_DECL)
#undef TP_IRQ_HANDLER_DECL
#endif

static inline void tp_irq_enable(unsigned irq) {
    NVIC_ISER(irq / 32u) = 1u << (irq % 32u);
}

static inline void tp_irq_disable(unsigned irq) {
    NVIC_ICER(irq / 32u) = 1u << (irq % 32u);
    tp_dsb();
    tp_isb();
}

/* Makes the interrupt pending, as its peripheral would; it runs as soon as
 * it is enabled and its priority allows. */
static inline void tp_irq_pend(unsigned irq) {
    NVIC_ISPR(irq / 32u) = 1u << (irq % 32u);
    tp_dsb();
    tp_isb();
}

static inline void tp_irq_clear_pending(unsigned irq) {
    NVIC_ICPR(irq / 32u) = 1u << (irq % 32u);
}

static inline int tp_irq_is_pending(unsigned irq) {
    return (NVIC_ISPR(irq / 32u) >> (irq % 32u)) & 1u;
}

/* The priority register word holding irq's byte (four interrupts a word). */
static inline volatile uint32_t *tp_irq_priority_word(unsigned irq) {
    return (volatile uint32_t *)(uintptr_t)(NVIC_IPR_BASE + 4u * (irq / 4u));
}

/* priority: the raw byte (0 = highest); a part keeps only its top bits.
 * ARMv7-M/v8-M Mainline write the byte; ARMv6-M allows only word access
 * there, so its read-modify-write of the word (four interrupts' priorities)
 * runs in a critical section. */
static inline void tp_irq_set_priority(unsigned irq, uint8_t priority) {
#if defined(TP_ARCH_V6M)
    volatile uint32_t *word = tp_irq_priority_word(irq);
    unsigned shift = 8u * (irq % 4u);
    tp_irqstate_t s = tp_critical_enter();
    *word = (*word & ~(0xFFu << shift)) | ((uint32_t)priority << shift);
    tp_critical_exit(s);
#else
    *(volatile uint8_t *)(uintptr_t)(NVIC_IPR_BASE + irq) = priority;
#endif
}

static inline uint8_t tp_irq_priority(unsigned irq) {
    uint32_t word = *tp_irq_priority_word(irq);
    return (uint8_t)(word >> (8u * (irq % 4u)));
}

#endif /* TP_IRQ_H */
