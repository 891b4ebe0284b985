// SPDX-License-Identifier: MIT
/*
 * tim2.h - TIM2 of the STM32F405 (netduinoplus2) as the benchmarks' clock:
 * under QEMU -icount shift=0 it counts one per guest instruction
 * (docs/bench-method.md).
 */
#ifndef BENCH_TIM2_H
#define BENCH_TIM2_H

#include "cortexm.h"

#define RCC_APB1ENR TP_REG32(0x40023840u)
#define TIM2_CR1 TP_REG32(0x40000000u)
#define TIM2_EGR TP_REG32(0x40000014u)
#define TIM2_CNT TP_REG32(0x40000024u)
#define TIM2_PSC TP_REG32(0x40000028u)
#define TIM2_ARR TP_REG32(0x4000002Cu)

/* Free-running, 32 bits, no prescaler. */
static inline void tim2_start(void) {
    RCC_APB1ENR |= 1u; /* TIM2EN (a real chip needs it; QEMU ignores it) */
    TIM2_CR1 = 0;
    TIM2_PSC = 0;
    TIM2_ARR = 0xFFFFFFFFu;
    TIM2_EGR = 1u; /* UG: load the prescaler now */
    TIM2_CNT = 0;
    TIM2_CR1 = 1u; /* CEN */
}

#endif /* BENCH_TIM2_H */
