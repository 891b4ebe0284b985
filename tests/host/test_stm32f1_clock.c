// SPDX-License-Identifier: MIT
/*
 * test_stm32f1_clock.c - the F1 clock set-up (kernel/drivers/
 * stm32f1_clock.c) run against a model of RCC and FLASH_ACR that behaves as
 * RM0008/RM0041 say: ready bits follow their enables a few reads later (the
 * crystal's never, on a board without one or with a dead one), the switch
 * status follows the switch only to a ready source, the PLL's source and
 * factor ignore writes while it runs.  At every write the model checks that
 * no bus runs above its limit and that the flash wait states cover SYSCLK.
 */
#include <stdint.h>
#include <string.h>

#include "tests/harness.h"

static uint32_t model_read(uint32_t addr);
static void model_write(uint32_t addr, uint32_t value);
#define STM32_CLOCK_REG_READ(addr) model_read(addr)
#define STM32_CLOCK_REG_WRITE(addr, value) model_write(addr, value)
#include "../../kernel/drivers/stm32f1_clock.c"

/* The model's own register map and bits, from RM0008 (not the driver's
 * macros, so that a wrong constant in the driver is not mirrored here). */
#define RM_RCC_CR 0x40021000u
#define RM_RCC_CFGR 0x40021004u
#define RM_FLASH_ACR 0x40022000u
#define RM_CR_HSION (1u << 0)
#define RM_CR_HSIRDY (1u << 1)
#define RM_CR_HSEON (1u << 16)
#define RM_CR_HSERDY (1u << 17)
#define RM_CR_HSEBYP (1u << 18)
#define RM_CR_PLLON (1u << 24)
#define RM_CR_PLLRDY (1u << 25)
#define RM_CFGR_PLLSRC_HSE (1u << 16)
#define RM_CFGR_PLLXTPRE (1u << 17)
#define RM_CFGR_PLLMUL_SHIFT 18

typedef struct {
    uint32_t max_sysclk, max_pclk1;
    int has_wait_states; /* the F100 has none: the field reads 0 */
} part_limits_t;

static const part_limits_t F103 = {72000000u, 36000000u, 1};
static const part_limits_t F100 = {24000000u, 24000000u, 0};

static struct {
    uint32_t cr, cfgr, acr;
    uint32_t hse_hz; /* 0: no crystal, or one that does not start */
    int emulated, pll_locks;
    int pending_pll, pending_hse;
    unsigned writes, reads, violations;
    const part_limits_t *part;
} m;

static void violation(const char *what) {
    m.violations++;
    tp_test_log("    model: %s (cr %08x cfgr %08x acr %08x)\n", what, m.cr, m.cfgr, m.acr);
}

static uint32_t model_sysclk(void) {
    switch ((m.cfgr >> 2) & 3u) {
    case 0: return 8000000u;
    case 1: return m.hse_hz;
    case 2: {
        uint32_t code = (m.cfgr >> 18) & 0xFu, mul = code >= 14u ? 16u : code + 2u;
        uint32_t in = (m.cfgr & RM_CFGR_PLLSRC_HSE) ? m.hse_hz / ((m.cfgr & RM_CFGR_PLLXTPRE) ? 2u : 1u)
                                                 : 4000000u;
        return in * mul;
    }
    default: return 0;
    }
}

static void check_rules(void) {
    uint32_t sys = model_sysclk();
    if ((m.cfgr >> 4) & 8u) violation("AHB divided: the driver never divides it");
    uint32_t ppre1 = (m.cfgr >> 8) & 7u, ppre2 = (m.cfgr >> 11) & 7u;
    uint32_t pclk1 = (ppre1 & 4u) ? sys >> ((ppre1 & 3u) + 1u) : sys;
    uint32_t pclk2 = (ppre2 & 4u) ? sys >> ((ppre2 & 3u) + 1u) : sys;
    if (sys > m.part->max_sysclk) violation("SYSCLK above the part's maximum");
    if (pclk1 > m.part->max_pclk1) violation("APB1 above its limit");
    if (pclk2 > m.part->max_sysclk) violation("APB2 above its limit");
    if (m.part->has_wait_states && sys > ((m.acr & 7u) + 1u) * 24000000u)
        violation("SYSCLK faster than the flash wait states allow");
}

static uint32_t model_read(uint32_t addr) {
    m.reads++;
    if (m.emulated) return 0;
    switch (addr) {
    case RM_RCC_CR:
        if ((m.cr & RM_CR_PLLON) && m.pll_locks && m.pending_pll > 0 && --m.pending_pll == 0)
            m.cr |= RM_CR_PLLRDY;
        if ((m.cr & RM_CR_HSEON) && m.hse_hz && m.pending_hse > 0 && --m.pending_hse == 0)
            m.cr |= RM_CR_HSERDY;
        return m.cr;
    case RM_RCC_CFGR: return m.cfgr;
    case RM_FLASH_ACR: return m.part->has_wait_states ? m.acr : m.acr & ~7u;
    default: violation("read of an unknown register"); return 0;
    }
}

static void model_write(uint32_t addr, uint32_t value) {
    m.writes++;
    if (m.emulated) return;
    switch (addr) {
    case RM_RCC_CR: {
        uint32_t sws = (m.cfgr >> 2) & 3u;
        if (!(value & RM_CR_HSION) && sws == 0) violation("HSI turned off while it runs the core");
        if (!(value & RM_CR_PLLON) && sws == 2) violation("PLL turned off while it runs the core");
        if (!(value & RM_CR_HSEON) && (m.cr & RM_CR_PLLON) && (m.cfgr & RM_CFGR_PLLSRC_HSE))
            violation("HSE turned off under a running PLL");
        uint32_t rw = RM_CR_HSION | RM_CR_HSEON | RM_CR_HSEBYP | (1u << 19) | RM_CR_PLLON;
        uint32_t was = m.cr;
        m.cr = (m.cr & ~rw) | (value & rw);
        m.cr = (m.cr & RM_CR_HSION) ? m.cr | RM_CR_HSIRDY : m.cr & ~RM_CR_HSIRDY;
        if (!(m.cr & RM_CR_PLLON)) m.cr &= ~RM_CR_PLLRDY;
        if (!(m.cr & RM_CR_HSEON)) m.cr &= ~RM_CR_HSERDY;
        if ((m.cr & RM_CR_PLLON) && !(was & RM_CR_PLLON)) m.pending_pll = 3;
        if ((m.cr & RM_CR_HSEON) && !(was & RM_CR_HSEON)) m.pending_hse = 5;
        if ((m.cr & RM_CR_PLLON) && !(was & RM_CR_PLLON) && (m.cfgr & RM_CFGR_PLLSRC_HSE) &&
            !(m.cr & RM_CR_HSERDY))
            violation("PLL started from a crystal that is not ready");
        break;
    }
    case RM_RCC_CFGR: {
        uint32_t pll_fields = RM_CFGR_PLLSRC_HSE | RM_CFGR_PLLXTPRE | 0xFu << RM_CFGR_PLLMUL_SHIFT;
        if ((m.cr & RM_CR_PLLON) && ((value ^ m.cfgr) & pll_fields)) {
            violation("PLL source or factor written while the PLL is on");
            value = (value & ~pll_fields) | (m.cfgr & pll_fields);
        }
        uint32_t sw = value & 3u;
        m.cfgr = (m.cfgr & 0xCu) | (value & ~0xCu);
        if (sw == 2 && !(m.cr & RM_CR_PLLRDY)) violation("switch to a PLL that is not ready");
        else if (sw == 0 || sw == 2) m.cfgr = (m.cfgr & ~0xCu) | sw << 2;
        break;
    }
    case RM_FLASH_ACR: m.acr = value; break;
    default: violation("write to an unknown register"); break;
    }
    check_rules();
}

static void model_reset(const part_limits_t *part, uint32_t crystal_hz) {
    memset(&m, 0, sizeof m);
    m.cr = 0x00000083u;
    m.acr = 0x30u; /* prefetch on */
    m.pll_locks = 1;
    m.hse_hz = crystal_hz;
    m.part = part;
}


static void test_f103_at_72mhz_from_the_crystal(void) {
    model_reset(&F103, 8000000u);
    TP_CHECK_EQ(stm32f1_clock_init(&stm32f1_clock_f103_72mhz_hse8), STM32_CLOCK_OK);
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f1_sysclk_hz(8000000u), 72000000u);
    TP_CHECK_EQ(stm32f1_pclk1_hz(8000000u), 36000000u);
    TP_CHECK_EQ(stm32f1_pclk2_hz(8000000u), 72000000u);
    TP_CHECK_EQ(model_sysclk(), 72000000u);
    TP_CHECK_EQ(m.acr & 7u, 2u);
    TP_CHECK_EQ(m.acr & 0x10u, 0x10u); /* prefetch left on */
}

static void test_f103_without_its_crystal(void) {
    model_reset(&F103, 0);
    TP_CHECK_EQ(stm32f1_clock_init(&stm32f1_clock_f103_72mhz_hse8), STM32_CLOCK_HSE_FAILED);
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f1_sysclk_hz(8000000u), 64000000u); /* HSI/2 x 16, and says so */
    TP_CHECK_EQ(m.cr & RM_CR_HSEON, 0u);                    /* the crystal's oscillator is off again */
    TP_CHECK_EQ(stm32f1_pclk1_hz(8000000u), 32000000u);
}

static void test_f100_at_24mhz(void) {
    model_reset(&F100, 8000000u);
    TP_CHECK_EQ(stm32f1_clock_init(&stm32f1_clock_f100_24mhz), STM32_CLOCK_OK);
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f1_sysclk_hz(0), 24000000u);
    TP_CHECK_EQ(stm32f1_pclk2_hz(0), 24000000u);
    TP_CHECK_EQ(m.cr & RM_CR_HSEON, 0u); /* no crystal asked for */
}

static void test_emulator_is_left_alone(void) {
    model_reset(&F103, 8000000u);
    m.emulated = 1;
    TP_CHECK_EQ(stm32f1_clock_init(&stm32f1_clock_f103_72mhz_hse8), STM32_CLOCK_EMULATED);
    TP_CHECK_EQ(m.writes, 0u);
    TP_CHECK_EQ(stm32f1_sysclk_hz(8000000u), 0u);
}

static void test_pll_that_never_locks(void) {
    model_reset(&F103, 8000000u);
    m.pll_locks = 0;
    TP_CHECK_EQ(stm32f1_clock_init(&stm32f1_clock_f103_72mhz_hse8), STM32_CLOCK_PLL_FAILED);
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f1_sysclk_hz(8000000u), 8000000u);
}

static void test_from_a_running_pll(void) {
    model_reset(&F103, 8000000u);
    m.cr |= RM_CR_HSEON | RM_CR_HSERDY | RM_CR_PLLON | RM_CR_PLLRDY;
    m.acr = 0x31u;
    m.cfgr = 2u | 2u << 2 | 4u << 8 | RM_CFGR_PLLSRC_HSE | 4u << RM_CFGR_PLLMUL_SHIFT; /* 48 MHz */
    check_rules();
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f1_clock_init(&stm32f1_clock_f103_72mhz_hse8), STM32_CLOCK_OK);
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f1_sysclk_hz(8000000u), 72000000u);
}

static void test_bad_configurations_change_nothing(void) {
    static const stm32f1_clock_config_t bad[] = {
        {8000000u, 17, 16, 2, 2, 1}, {8000000u, 1, 16, 2, 2, 1}, {0, 0, 1, 0, 1, 1},
        {0, 0, 6, 3, 1, 1},          {0, 0, 6, 0, 3, 1},         {0, 0, 6, 0, 1, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        model_reset(&F103, 8000000u);
        TP_CHECK_EQ(stm32f1_clock_init(&bad[i]), STM32_CLOCK_BAD_CONFIG);
        TP_CHECK_EQ(m.writes, 0u);
    }
}

static void test_read_back_with_the_crystal_halved(void) {
    model_reset(&F103, 8000000u);
    m.cfgr = 2u << 2 | RM_CFGR_PLLSRC_HSE | RM_CFGR_PLLXTPRE | 7u << RM_CFGR_PLLMUL_SHIFT; /* 4 x 9 */
    TP_CHECK_EQ(stm32f1_sysclk_hz(8000000u), 36000000u);
    m.cfgr = 2u << 2 | 15u << RM_CFGR_PLLMUL_SHIFT; /* code 15 is x16 too */
    TP_CHECK_EQ(stm32f1_sysclk_hz(8000000u), 64000000u);
    m.cfgr = 0x8u << 4; /* HSI, AHB / 2 */
    TP_CHECK_EQ(stm32f1_hclk_hz(0), 4000000u);
}

static const tp_test_case cases[] = {
    TP_CASE(test_f103_at_72mhz_from_the_crystal),
    TP_CASE(test_f103_without_its_crystal),
    TP_CASE(test_f100_at_24mhz),
    TP_CASE(test_emulator_is_left_alone),
    TP_CASE(test_pll_that_never_locks),
    TP_CASE(test_from_a_running_pll),
    TP_CASE(test_bad_configurations_change_nothing),
    TP_CASE(test_read_back_with_the_crystal_halved),
};

int main(void) { return tp_test_main("stm32f1_clock", cases, TP_COUNT(cases)); }
