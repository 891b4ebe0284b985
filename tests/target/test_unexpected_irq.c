// SPDX-License-Identifier: MIT
/*
 * test_unexpected_irq.c - an interrupt with no handler is named and ends the
 * program (exit 5) instead of hanging in a loop.
 *
 *@expect-exit 5
 *@expect-output ^\*\*\* UNEXPECTED INTERRUPT: IRQ3 \(vector 19\)
 */
#include "console.h"
#include "cortexm.h"

#define NVIC_ISER0 TP_REG32(0xE000E100u)
#define NVIC_ISPR0 TP_REG32(0xE000E200u)

int main(void) {
    tp_printf("irq-test: raising IRQ3, which has no handler\n");
    NVIC_ISER0 = 1u << 3;
    NVIC_ISPR0 = 1u << 3;
    tp_dsb();
    tp_isb();
    tp_printf("irq-test: still running\n");
    return 0;
}
