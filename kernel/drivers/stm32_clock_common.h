// SPDX-License-Identifier: MIT
/*
 * stm32_clock_common.h - what the F1 and F2/F4 clock drivers share: register
 * access through STM32_CLOCK_REG_READ/WRITE, the bounded wait for a ready
 * bit, the RCC_CR/RCC_CFGR bits at the same places on all three families, the
 * move onto HSI with the PLL off and the switch to the PLL, and the AHB/APB
 * prescaler encodings.
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

/* RCC_CR and RCC_CFGR bits at the same places on F1, F2 and F4 */
#define CR_HSION (1u << 0)
#define CR_HSIRDY (1u << 1)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define CFGR_SW_MASK 0x3u
#define CFGR_SWS_MASK 0xCu
#define CFGR_SW_HSI 0x0u
#define CFGR_SW_PLL 0x2u
#define CFGR_SWS_HSI 0x0u
#define CFGR_SWS_HSE 0x4u
#define CFGR_SWS_PLL 0x8u

/* Onto HSI, then the PLL off: whatever ran before (a boot loader may have
 * left the PLL on), the PLL can be changed only while it is off.  1 when
 * done, 0 when a wait gave up. */
static inline int onto_hsi_with_pll_off(uint32_t rcc_cr, uint32_t rcc_cfgr) {
    reg_write(rcc_cr, reg_read(rcc_cr) | CR_HSION);
    if (!wait_for(rcc_cr, CR_HSIRDY, CR_HSIRDY)) return 0;
    reg_write(rcc_cfgr, (reg_read(rcc_cfgr) & ~CFGR_SW_MASK) | CFGR_SW_HSI);
    if (!wait_for(rcc_cfgr, CFGR_SWS_MASK, CFGR_SWS_HSI)) return 0;
    reg_write(rcc_cr, reg_read(rcc_cr) & ~CR_PLLON);
    return wait_for(rcc_cr, CR_PLLRDY, 0);
}

/* Switches SYSCLK to the PLL, which is locked.  1 when done. */
static inline int switch_to_pll(uint32_t rcc_cfgr) {
    reg_write(rcc_cfgr, (reg_read(rcc_cfgr) & ~CFGR_SW_MASK) | CFGR_SW_PLL);
    return wait_for(rcc_cfgr, CFGR_SWS_MASK, CFGR_SWS_PLL);
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
