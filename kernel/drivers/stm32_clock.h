// SPDX-License-Identifier: MIT
/*
 * stm32_clock.h - the clock tree of STM32 F1, F2 and F4 parts: the PLL set up
 * from reset, and the clocks read back from RCC.
 *
 * F2/F4 take the PLL from HSI (16 MHz, on every part), so no crystal is
 * assumed: 168 MHz on F405/F407, 84 MHz on F401, 120 MHz on F205.  F1 parts
 * reach 72 MHz only from a crystal (HSE): stm32f1_clock_init tries HSE and,
 * if it does not start, falls back to HSI/2 through the PLL (64 MHz at most).
 * Every wait is bounded: a PLL or oscillator that does not come up leaves the
 * part on the clock it had, and the read-back says which.
 *
 * Under QEMU the RCC is not modelled: its registers read 0 and ignore writes.
 * The init functions see that (HSION and HSIRDY, set on every real part from
 * reset, read 0), change nothing and return STM32_CLOCK_EMULATED; the core
 * then runs at the emulator's fixed clock, which the board knows (CORE_HZ).
 */
#ifndef TP_STM32_CLOCK_H
#define TP_STM32_CLOCK_H

#include <stdint.h>

typedef enum {
    STM32_CLOCK_OK = 0,
    STM32_CLOCK_EMULATED,     /* RCC reads 0: nothing changed */
    STM32_CLOCK_HSE_FAILED,   /* F1: no crystal came up; running from HSI through the PLL */
    STM32_CLOCK_PLL_FAILED,   /* the PLL did not lock or was not selected: still on HSI */
    STM32_CLOCK_BAD_CONFIG,   /* a field out of its range: nothing changed */
} stm32_clock_status_t;

/* ---- F2 and F4 (RM0033, RM0090, RM0368: the same RCC and FLASH_ACR) ---- */
typedef struct {
    uint32_t pllm;              /* 2..63: VCO input = 16 MHz / M, best 2 MHz */
    uint32_t plln;              /* VCO = input * N, within 192..432 MHz (100..432 on F401) */
    uint32_t pllp;              /* 2, 4, 6 or 8: SYSCLK = VCO / P */
    uint32_t pllq;              /* 2..15: 48 MHz clock = VCO / Q */
    uint32_t flash_wait_states; /* for SYSCLK at 2.7-3.6 V: the reference manual's table */
    uint32_t apb1_div;          /* 1, 2, 4, 8 or 16 */
    uint32_t apb2_div;          /* 1, 2, 4, 8 or 16 */
} stm32f4_clock_config_t;

#define STM32F4_HSI_CLOCK_HZ 16000000u

stm32_clock_status_t stm32f4_clock_init(const stm32f4_clock_config_t *cfg);

/* Each part's top speed from HSI (the boards' settings; the linker drops the
 * ones a program does not use). */
extern const stm32f4_clock_config_t stm32f4_clock_f405_168mhz; /* F405/F407/F415/F417 */
extern const stm32f4_clock_config_t stm32f4_clock_f401_84mhz;  /* F401 */
extern const stm32f4_clock_config_t stm32f4_clock_f205_120mhz; /* F205/F207 */
/* Read back from RCC (HSE counted as hse_hz); 0 when RCC reads 0. */
uint32_t stm32f4_sysclk_hz(uint32_t hse_hz);
uint32_t stm32f4_hclk_hz(uint32_t hse_hz);
uint32_t stm32f4_pclk1_hz(uint32_t hse_hz);
uint32_t stm32f4_pclk2_hz(uint32_t hse_hz);

/* ---- F1 (RM0008 for F101/F102/F103, RM0041 for the F100 value line) ---- */
typedef struct {
    uint32_t hse_hz;            /* the board's crystal, 0 for none: the PLL runs from HSI/2 */
    uint32_t hse_pllmul;        /* 2..16: SYSCLK = HSE * mul */
    uint32_t hsi_pllmul;        /* 2..16: SYSCLK = 4 MHz * mul, with no crystal or a dead one */
    uint32_t flash_wait_states; /* F101/F103: 0 up to 24 MHz, 1 up to 48, 2 up to 72; F100: 0 */
    uint32_t apb1_div;          /* 1, 2, 4, 8 or 16; APB1 at most 36 MHz (F100: 24) */
    uint32_t apb2_div;
} stm32f1_clock_config_t;

#define STM32F1_HSI_CLOCK_HZ 8000000u

stm32_clock_status_t stm32f1_clock_init(const stm32f1_clock_config_t *cfg);
/* The read-back takes HSE into the PLL as undivided or halved (PLLXTPRE); on
 * the F100 a PREDIV1 above 2 (CFGR2, which these drivers never set) is not
 * read. */

/* F101/F102/F103 at 72 MHz from an 8 MHz crystal (64 MHz from HSI without
 * it); the F100 value line at its 24 MHz from HSI. */
extern const stm32f1_clock_config_t stm32f1_clock_f103_72mhz_hse8;
extern const stm32f1_clock_config_t stm32f1_clock_f100_24mhz;
uint32_t stm32f1_sysclk_hz(uint32_t hse_hz);
uint32_t stm32f1_hclk_hz(uint32_t hse_hz);
uint32_t stm32f1_pclk1_hz(uint32_t hse_hz);
uint32_t stm32f1_pclk2_hz(uint32_t hse_hz);

/* The number of register reads a wait for a ready bit gives up after: about
 * 100 ms at 8 MHz, longer than any oscillator start-up the data sheets give. */
#define STM32_CLOCK_WAIT_READS 200000u

/* Register access, replaceable so that the host tests can run this code
 * against a model of RCC and FLASH. */
#ifndef STM32_CLOCK_REG_READ
#define STM32_CLOCK_REG_READ(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define STM32_CLOCK_REG_WRITE(addr, value) (*(volatile uint32_t *)(uintptr_t)(addr) = (value))
#endif

#endif /* TP_STM32_CLOCK_H */
