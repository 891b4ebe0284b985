// SPDX-License-Identifier: MIT
/*
 * stm32_clock_common.h - what the F1 and F2/F4 clock drivers share: register
 * access through STM32_CLOCK_REG_READ/WRITE, the bounded wait for a ready
 * bit, and the AHB/APB prescaler encodings (the same on all three families).
 * Included by stm32f1_clock.c and stm32f4_clock.c only.
 */
#ifndef TP_STM32_CLOCK_COMMON_H
#define TP_STM32_CLOCK_COMMON_H

#include "stm32_clock.h"

static inline uint32_t reg_read(uint32_t addr) { return STM32_CLOCK_REG_READ(addr); }
static inline void reg_write(uint32_t addr, uint32_t value) { STM32_CLOCK_REG_WRITE(addr, value); }

/* 1 when (reg & mask) == want within STM32_CLOCK_WAIT_READS reads, else 0. */
static inline int wait_for(uint32_t addr, uint32_t mask, uint32_t want) {
    for (uint32_t i = 0; i < STM32_CLOCK_WAIT_READS; i++)
        if ((reg_read(addr) & mask) == want) return 1;
    return 0;
}

#define APB_DIV_INVALID 0x8u

/* The 3-bit PPRE encoding of an APB divider; APB_DIV_INVALID for one that
 * does not exist. */
static inline uint32_t apb_bits(uint32_t div) {
    switch (div) {
    case 1: return 0x0u;
    case 2: return 0x4u;
    case 4: return 0x5u;
    case 8: return 0x6u;
    case 16: return 0x7u;
    default: return APB_DIV_INVALID;
    }
}

/* HCLK from SYSCLK and the 4-bit HPRE field. */
static inline uint32_t ahb_hz(uint32_t sysclk, uint32_t hpre) {
    static const uint8_t shift[8] = {1, 2, 3, 4, 6, 7, 8, 9}; /* /2 /4 /8 /16 /64 ... /512 */
    return (hpre & 8u) ? sysclk >> shift[hpre & 7u] : sysclk;
}

/* An APB clock from HCLK and its 3-bit PPRE field. */
static inline uint32_t apb_hz(uint32_t hclk, uint32_t ppre) {
    return (ppre & 4u) ? hclk >> ((ppre & 3u) + 1u) : hclk;
}

#endif /* TP_STM32_CLOCK_COMMON_H */
