// SPDX-License-Identifier: MIT
/*
 * test_irq_names.c - a device interrupt reaches the handler the program
 * defines, by the vendor's name where the board names its part's interrupts
 * (USART1_IRQHandler on an STM32) and by number everywhere (IRQ<n>_Handler);
 * a vendor-named handler sits in the vector table itself.
 */
#include <stdint.h>

#include "cortexm.h"
#include "irq.h"
#include "tests/harness.h"

static volatile uint32_t by_number_count, by_vendor_count;
static volatile uint32_t seen_vector;

static void note_vector(void) { seen_vector = tp_get_ipsr() & ICSR_VECTACTIVE_MASK; }

/* Slot 7 has a vendor name on every STM32 here (EXTI1) and none elsewhere:
 * defined by number, it is reached either way. */
#define BY_NUMBER_IRQ 7u
void IRQ7_Handler(void);
void IRQ7_Handler(void) {
    note_vector();
    by_number_count++;
}

static const uint32_t *vector_table(void) { return (const uint32_t *)(uintptr_t)SCB_VTOR; }

static void pend_and_wait(unsigned irq, volatile uint32_t *counter) {
    uint32_t before = *counter;
    seen_vector = 0;
    tp_irq_clear_pending(irq);
    tp_irq_enable(irq);
    tp_irq_pend(irq);
    for (int i = 0; i < 1000 && *counter == before; i++) tp_isb();
    tp_irq_disable(irq);
    TP_CHECK_EQ(*counter, before + 1u);
    TP_CHECK_EQ(seen_vector, irq + 16u);
    TP_CHECK(!tp_irq_is_pending(irq));
}

static void test_handler_by_number(void) { pend_and_wait(BY_NUMBER_IRQ, &by_number_count); }

#ifdef TP_IRQ_TABLE
void USART1_IRQHandler(void) {
    note_vector();
    by_vendor_count++;
}

static void test_handler_by_vendor_name(void) {
    TP_CHECK_EQ(TP_IRQN_USART1, 37); /* every STM32 F1, F2 and F4 */
    pend_and_wait(TP_IRQN_USART1, &by_vendor_count);
    TP_CHECK_EQ(by_number_count, 1u); /* the other handler was not run */
}

static void test_vendor_handler_is_in_the_table(void) {
    /* no forwarding: the slot holds the program's function */
    TP_CHECK_EQ(vector_table()[16u + TP_IRQN_USART1], (uint32_t)(uintptr_t)USART1_IRQHandler);
    /* a slot defined by number holds the vendor name's forwarder instead */
    TP_CHECK(vector_table()[16u + BY_NUMBER_IRQ] != (uint32_t)(uintptr_t)IRQ7_Handler);
}

static void test_vendor_numbers(void) {
    TP_CHECK_EQ(TP_IRQN_WWDG, 0);
    TP_CHECK_EQ(TP_IRQN_EXTI0, 6);
    TP_CHECK_EQ(TP_IRQN_EXTI1, BY_NUMBER_IRQ);
    TP_CHECK_EQ(TP_IRQN_USART2, 38);
    TP_CHECK_EQ(TP_IRQN_EXTI15_10, 40);
}
#else
static void test_number_handler_is_in_the_table(void) {
    TP_CHECK_EQ(vector_table()[16u + BY_NUMBER_IRQ], (uint32_t)(uintptr_t)IRQ7_Handler);
}
#endif

static void test_priority_round_trip(void) {
    /* a part keeps only the top bits of a priority; 0x80 survives on all */
    tp_irq_set_priority(BY_NUMBER_IRQ + 1u, 0x40u); /* a neighbour in the same word */
    tp_irq_set_priority(BY_NUMBER_IRQ, 0x80u);
    TP_CHECK_EQ(tp_irq_priority(BY_NUMBER_IRQ) & 0x80u, 0x80u);
    TP_CHECK_EQ(tp_irq_priority(BY_NUMBER_IRQ + 1u) & 0xC0u, 0x40u); /* kept */
    tp_irq_set_priority(BY_NUMBER_IRQ, 0);
    tp_irq_set_priority(BY_NUMBER_IRQ + 1u, 0);
    TP_CHECK_EQ(tp_irq_priority(BY_NUMBER_IRQ), 0u);
    pend_and_wait(BY_NUMBER_IRQ, &by_number_count);
}

static const tp_test_case cases[] = {
    TP_CASE(test_handler_by_number),
#ifdef TP_IRQ_TABLE
    TP_CASE(test_handler_by_vendor_name),
    TP_CASE(test_vendor_handler_is_in_the_table),
    TP_CASE(test_vendor_numbers),
#else
    TP_CASE(test_number_handler_is_in_the_table),
#endif
    TP_CASE(test_priority_round_trip),
};

int main(void) { return tp_test_main("irq_names", cases, TP_COUNT(cases)); }
