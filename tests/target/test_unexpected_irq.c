// SPDX-License-Identifier: MIT
/*
 * test_unexpected_irq.c - an interrupt with no handler is named and ends the
 * program (exit 5) instead of hanging in a loop; the report says which
 * handler to define: the vendor's name too where the board names its part's
 * interrupts (IRQ 6 is EXTI0 on every STM32 here).
 *
 *@expect-exit 5
 *@expect-output ^\*\*\* UNEXPECTED INTERRUPT: IRQ6 \(vector 22\) has no handler: define
 *@host-check want=$(sed -n 's/^irq-test: the report should say: //p' $LOG) && [ -n "$want" ] && grep -Fqx "*** UNEXPECTED INTERRUPT: IRQ6 (vector 22) has no handler: $want" $LOG
 */
#include "console.h"
#include "cortexm.h"
#include "irq.h"

int main(void) {
#ifdef TP_IRQ_TABLE
    tp_printf("irq-test: the report should say: define EXTI0_IRQHandler or IRQ6_Handler\n");
#else
    tp_printf("irq-test: the report should say: define IRQ6_Handler\n");
#endif
    tp_printf("irq-test: raising IRQ6, which has no handler\n");
    tp_irq_enable(6);
    tp_irq_pend(6);
    tp_printf("irq-test: still running\n");
    return 0;
}
