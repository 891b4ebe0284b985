// SPDX-License-Identifier: MIT
/*
 * stm32f1_clock.c - the F1 clock tree (see stm32_clock.h): SYSCLK from the
 * PLL fed by the crystal (HSE) when the board has one and it starts, else by
 * HSI/2; the flash wait states raised before the clock is.
 */
#include "stm32_clock_common.h"

#define RCC_CR 0x40021000u
#define RCC_CFGR 0x40021004u
#define FLASH_ACR 0x40022000u

#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_HSEBYP (1u << 18)

#define CFGR_PLLSRC_HSE (1u << 16)
#define CFGR_PLLXTPRE (1u << 17) /* HSE / 2 into the PLL (F100: PREDIV1's low bit) */
#define CFGR_PLLMUL_SHIFT 18
/* HPRE, PPRE1, PPRE2, PLLSRC, PLLXTPRE, PLLMUL (ADCPRE and MCO are left alone) */
#define CFGR_CLOCK_FIELDS 0x003F3FF0u

#define ACR_LATENCY_MASK 0x7u

#define HSI_DIV2_HZ (STM32F1_HSI_CLOCK_HZ / 2u)

/* 8 MHz * 9 = 72 MHz (USB: / 1.5 = 48 MHz); without the crystal 4 MHz * 16.
 * 2 wait states above 48 MHz (RM0008); APB1 at most 36 MHz. */
const stm32f1_clock_config_t stm32f1_clock_f103_72mhz_hse8 = {
    .hse_hz = 8000000u, .hse_pllmul = 9, .hsi_pllmul = 16,
    .flash_wait_states = 2, .apb1_div = 2, .apb2_div = 1,
};

/* 4 MHz * 6 = 24 MHz; the F100 has no flash wait states (RM0041). */
const stm32f1_clock_config_t stm32f1_clock_f100_24mhz = {
    .hse_hz = 0, .hse_pllmul = 0, .hsi_pllmul = 6,
    .flash_wait_states = 0, .apb1_div = 1, .apb2_div = 1,
};

static int config_valid(const stm32f1_clock_config_t *cfg) {
    return (cfg->hse_hz == 0 || (cfg->hse_pllmul >= 2 && cfg->hse_pllmul <= 16)) &&
           cfg->hsi_pllmul >= 2 && cfg->hsi_pllmul <= 16 && cfg->flash_wait_states <= 2 &&
           apb_bits(cfg->apb1_div) != APB_DIV_INVALID &&
           apb_bits(cfg->apb2_div) != APB_DIV_INVALID;
}

stm32_clock_status_t stm32f1_clock_init(const stm32f1_clock_config_t *cfg) {
    if (reg_read(RCC_CR) == 0) return STM32_CLOCK_EMULATED;
    if (!config_valid(cfg)) return STM32_CLOCK_BAD_CONFIG;

    if (!onto_hsi_with_pll_off(RCC_CR, RCC_CFGR)) return STM32_CLOCK_PLL_FAILED;

    stm32_clock_status_t status = STM32_CLOCK_OK;
    uint32_t source = 0, mul = cfg->hsi_pllmul; /* source 0: HSI/2 */
    if (cfg->hse_hz) {
        reg_write(RCC_CR, (reg_read(RCC_CR) & ~CR_HSEBYP) | CR_HSEON);
        if (wait_for(RCC_CR, CR_HSERDY, CR_HSERDY)) {
            source = CFGR_PLLSRC_HSE;
            mul = cfg->hse_pllmul;
        } else {
            reg_write(RCC_CR, reg_read(RCC_CR) & ~CR_HSEON);
            status = STM32_CLOCK_HSE_FAILED;
        }
    }

    /* Wait states before the faster clock; the new value must read back
     * (the F100 has no wait states: the field is reserved and reads 0). */
    reg_write(FLASH_ACR, (reg_read(FLASH_ACR) & ~ACR_LATENCY_MASK) | cfg->flash_wait_states);
    if ((reg_read(FLASH_ACR) & ACR_LATENCY_MASK) != cfg->flash_wait_states)
        return STM32_CLOCK_PLL_FAILED;

    /* PLL source and factor, AHB undivided, the APB dividers - all before the
     * switch, so that neither bus ever runs above its limit. */
    uint32_t fields = source | (mul - 2u) << CFGR_PLLMUL_SHIFT | apb_bits(cfg->apb1_div) << 8 |
                      apb_bits(cfg->apb2_div) << 11;
    reg_write(RCC_CFGR, (reg_read(RCC_CFGR) & ~CFGR_CLOCK_FIELDS) | fields);
    reg_write(RCC_CR, reg_read(RCC_CR) | CR_PLLON);
    if (!wait_for(RCC_CR, CR_PLLRDY, CR_PLLRDY)) return STM32_CLOCK_PLL_FAILED;
    if (!switch_to_pll(RCC_CFGR)) return STM32_CLOCK_PLL_FAILED;
    return status;
}

uint32_t stm32f1_sysclk_hz(uint32_t hse_hz) {
    if (reg_read(RCC_CR) == 0) return 0;
    uint32_t cfgr = reg_read(RCC_CFGR);
    switch (cfgr & CFGR_SWS_MASK) {
    case CFGR_SWS_HSI: return STM32F1_HSI_CLOCK_HZ;
    case CFGR_SWS_HSE: return hse_hz;
    case CFGR_SWS_PLL: {
        uint32_t code = (cfgr >> CFGR_PLLMUL_SHIFT) & 0xFu;
        uint32_t mul = code >= 14u ? 16u : code + 2u;
        uint32_t in = HSI_DIV2_HZ;
        if (cfgr & CFGR_PLLSRC_HSE) in = (cfgr & CFGR_PLLXTPRE) ? hse_hz / 2u : hse_hz;
        return in * mul;
    }
    default: return 0; /* not a valid switch status */
    }
}

uint32_t stm32f1_hclk_hz(uint32_t hse_hz) {
    return ahb_hz(stm32f1_sysclk_hz(hse_hz), (reg_read(RCC_CFGR) >> 4) & 0xFu);
}

uint32_t stm32f1_pclk1_hz(uint32_t hse_hz) {
    return apb_hz(stm32f1_hclk_hz(hse_hz), (reg_read(RCC_CFGR) >> 8) & 7u);
}

uint32_t stm32f1_pclk2_hz(uint32_t hse_hz) {
    return apb_hz(stm32f1_hclk_hz(hse_hz), (reg_read(RCC_CFGR) >> 11) & 7u);
}
