// SPDX-License-Identifier: MIT
/*
 * stm32f4_clock.c - the F2/F4 clock tree (see stm32_clock.h): SYSCLK from the
 * PLL fed by HSI, the flash wait states raised before the clock is.
 */
#include "stm32_clock_common.h"

#define RCC_CR 0x40023800u
#define RCC_PLLCFGR 0x40023804u
#define RCC_CFGR 0x40023808u
#define FLASH_ACR 0x40023C00u

#define PLLCFGR_FIELDS 0x0F437FFFu /* PLLM, PLLN, PLLP, PLLSRC, PLLQ */
#define PLLCFGR_SRC_HSE (1u << 22)

#define CFGR_BUS_FIELDS 0xFCF0u /* HPRE, PPRE1, PPRE2 */

#define ACR_LATENCY_MASK 0x7u
#define ACR_ICEN (1u << 9)
#define ACR_DCEN (1u << 10)

/* 16 MHz / 16 * 336 = 336 MHz VCO; / 2 = 168 MHz; / 7 = 48 MHz for USB.
 * 5 wait states at 150-168 MHz, 2.7-3.6 V (RM0090); APB1 42 MHz, APB2 84. */
const stm32f4_clock_config_t stm32f4_clock_f405_168mhz = {
    .pllm = 16, .plln = 336, .pllp = 2, .pllq = 7,
    .flash_wait_states = 5, .apb1_div = 4, .apb2_div = 2,
};

/* 336 MHz VCO / 4 = 84 MHz; / 7 = 48 MHz.  2 wait states at 64-84 MHz
 * (RM0368); the reset voltage scale (scale 2) allows 84 MHz.  APB1 42 MHz. */
const stm32f4_clock_config_t stm32f4_clock_f401_84mhz = {
    .pllm = 16, .plln = 336, .pllp = 4, .pllq = 7,
    .flash_wait_states = 2, .apb1_div = 2, .apb2_div = 1,
};

/* 16 MHz / 16 * 240 = 240 MHz VCO; / 2 = 120 MHz; / 5 = 48 MHz.  3 wait
 * states at 90-120 MHz, 2.7-3.6 V (RM0033); APB1 30 MHz, APB2 60. */
const stm32f4_clock_config_t stm32f4_clock_f205_120mhz = {
    .pllm = 16, .plln = 240, .pllp = 2, .pllq = 5,
    .flash_wait_states = 3, .apb1_div = 4, .apb2_div = 2,
};

static int config_valid(const stm32f4_clock_config_t *cfg) {
    return cfg->pllm >= 2 && cfg->pllm <= 63 && cfg->plln >= 50 && cfg->plln <= 432 &&
           (cfg->pllp == 2 || cfg->pllp == 4 || cfg->pllp == 6 || cfg->pllp == 8) &&
           cfg->pllq >= 2 && cfg->pllq <= 15 && cfg->flash_wait_states <= 7 &&
           apb_bits(cfg->apb1_div) != APB_DIV_INVALID &&
           apb_bits(cfg->apb2_div) != APB_DIV_INVALID;
}

stm32_clock_status_t stm32f4_clock_init(const stm32f4_clock_config_t *cfg) {
    if (reg_read(RCC_CR) == 0) return STM32_CLOCK_EMULATED;
    if (!config_valid(cfg)) return STM32_CLOCK_BAD_CONFIG;

    if (!onto_hsi_with_pll_off(RCC_CR, RCC_CFGR)) return STM32_CLOCK_PLL_FAILED;

    /* Wait states before the faster clock; the new value must read back.
     * The instruction and data caches on; prefetch is left as it was: ST
     * enables it on the F405/F407 only from silicon revision Z on. */
    uint32_t acr = (reg_read(FLASH_ACR) & ~ACR_LATENCY_MASK) | cfg->flash_wait_states;
    reg_write(FLASH_ACR, acr | ACR_ICEN | ACR_DCEN);
    if ((reg_read(FLASH_ACR) & ACR_LATENCY_MASK) != cfg->flash_wait_states)
        return STM32_CLOCK_PLL_FAILED;

    uint32_t pll = cfg->pllm | cfg->plln << 6 | (cfg->pllp / 2u - 1u) << 16 | cfg->pllq << 24;
    reg_write(RCC_PLLCFGR, (reg_read(RCC_PLLCFGR) & ~PLLCFGR_FIELDS) | pll); /* source: HSI */
    reg_write(RCC_CR, reg_read(RCC_CR) | CR_PLLON);
    if (!wait_for(RCC_CR, CR_PLLRDY, CR_PLLRDY)) return STM32_CLOCK_PLL_FAILED;

    /* AHB undivided; the APB dividers before the switch, so that neither bus
     * ever runs above its limit. */
    uint32_t buses = apb_bits(cfg->apb1_div) << 10 | apb_bits(cfg->apb2_div) << 13;
    reg_write(RCC_CFGR, (reg_read(RCC_CFGR) & ~CFGR_BUS_FIELDS) | buses);
    if (!switch_to_pll(RCC_CFGR)) return STM32_CLOCK_PLL_FAILED;
    return STM32_CLOCK_OK;
}

uint32_t stm32f4_sysclk_hz(uint32_t hse_hz) {
    if (reg_read(RCC_CR) == 0) return 0;
    uint32_t cfgr = reg_read(RCC_CFGR);
    switch (cfgr & CFGR_SWS_MASK) {
    case CFGR_SWS_HSI: return STM32F4_HSI_CLOCK_HZ;
    case CFGR_SWS_HSE: return hse_hz;
    case CFGR_SWS_PLL: {
        uint32_t pll = reg_read(RCC_PLLCFGR);
        uint32_t m = pll & 0x3Fu, n = (pll >> 6) & 0x1FFu, p = (((pll >> 16) & 3u) + 1u) * 2u;
        uint32_t in = (pll & PLLCFGR_SRC_HSE) ? hse_hz : STM32F4_HSI_CLOCK_HZ;
        if (m == 0) return 0;
        return (uint32_t)((uint64_t)in * n / m / p);
    }
    default: return 0; /* not a valid switch status */
    }
}

uint32_t stm32f4_hclk_hz(uint32_t hse_hz) {
    return ahb_hz(stm32f4_sysclk_hz(hse_hz), (reg_read(RCC_CFGR) >> 4) & 0xFu);
}

uint32_t stm32f4_pclk1_hz(uint32_t hse_hz) {
    return apb_hz(stm32f4_hclk_hz(hse_hz), (reg_read(RCC_CFGR) >> 10) & 7u);
}

uint32_t stm32f4_pclk2_hz(uint32_t hse_hz) {
    return apb_hz(stm32f4_hclk_hz(hse_hz), (reg_read(RCC_CFGR) >> 13) & 7u);
}
