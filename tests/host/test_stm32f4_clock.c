// SPDX-License-Identifier: MIT
/*
 * test_stm32f4_clock.c - the F2/F4 clock set-up (kernel/drivers/
 * stm32f4_clock.c) run against a model of RCC and FLASH_ACR that behaves as
 * the reference manuals say: ready bits follow their enables a few reads
 * later (or never, for a part whose PLL does not lock), the switch status
 * follows the switch only to a ready source, PLLCFGR ignores writes while the
 * PLL runs.  At every write the model checks the rules a wrong sequence would
 * break on silicon: no bus above its limit, never more speed than the flash
 * wait states allow.  The boards' own configurations are checked end to end.
 */
#include <stdint.h>
#include <string.h>

#include "tests/harness.h"

static uint32_t model_read(uint32_t addr);
static void model_write(uint32_t addr, uint32_t value);
#define STM32_CLOCK_REG_READ(addr) model_read(addr)
#define STM32_CLOCK_REG_WRITE(addr, value) model_write(addr, value)
#include "../../kernel/drivers/stm32f4_clock.c"

/* The model's own register map and bits, from RM0090 (not the driver's
 * macros, so that a wrong constant in the driver is not mirrored here). */
#define RM_RCC_CR 0x40023800u
#define RM_RCC_PLLCFGR 0x40023804u
#define RM_RCC_CFGR 0x40023808u
#define RM_FLASH_ACR 0x40023C00u
#define RM_CR_HSION (1u << 0)
#define RM_CR_HSIRDY (1u << 1)
#define RM_CR_PLLON (1u << 24)
#define RM_CR_PLLRDY (1u << 25)

/* ---- the model ---- */
typedef struct {
    uint32_t max_hclk, max_pclk1, max_pclk2;
    uint32_t hz_per_wait_state; /* 2.7-3.6 V: 30 MHz per wait state (F401: 0-30, 30-64, 64-84) */
    int f401;
} part_limits_t;

static const part_limits_t F405 = {168000000u, 42000000u, 84000000u, 30000000u, 0};
static const part_limits_t F401 = {84000000u, 42000000u, 84000000u, 30000000u, 1};
static const part_limits_t F205 = {120000000u, 30000000u, 60000000u, 30000000u, 0};

static struct {
    uint32_t cr, pllcfgr, cfgr, acr;
    int emulated;        /* no RCC: everything reads 0 */
    int pll_locks;       /* 0: PLLRDY never comes */
    int pending_pll;     /* reads of CR left before PLLRDY follows PLLON */
    unsigned writes, reads;
    unsigned violations; /* rules broken, each logged */
    const part_limits_t *part;
} m;

static void violation(const char *what) {
    m.violations++;
    tp_test_log("    model: %s (cr %08x pllcfgr %08x cfgr %08x acr %08x)\n", what, m.cr, m.pllcfgr,
                m.cfgr, m.acr);
}

static uint32_t model_sysclk(void) {
    switch ((m.cfgr >> 2) & 3u) {
    case 0: return 16000000u;
    case 2: {
        uint32_t mm = m.pllcfgr & 0x3Fu, n = (m.pllcfgr >> 6) & 0x1FFu;
        uint32_t p = (((m.pllcfgr >> 16) & 3u) + 1u) * 2u;
        return (uint32_t)(16000000ull / mm * n / p);
    }
    default: return 0;
    }
}

static uint32_t model_apb(uint32_t hclk, uint32_t ppre) {
    return (ppre & 4u) ? hclk >> ((ppre & 3u) + 1u) : hclk;
}

static void check_rules(void) {
    uint32_t sys = model_sysclk();
    uint32_t hpre = (m.cfgr >> 4) & 0xFu;
    if (hpre & 8u) violation("AHB divided: the driver never divides it");
    uint32_t pclk1 = model_apb(sys, (m.cfgr >> 10) & 7u);
    uint32_t pclk2 = model_apb(sys, (m.cfgr >> 13) & 7u);
    if (sys > m.part->max_hclk) violation("SYSCLK above the part's maximum");
    if (pclk1 > m.part->max_pclk1) violation("APB1 above its limit");
    if (pclk2 > m.part->max_pclk2) violation("APB2 above its limit");
    uint32_t ws = m.acr & 7u;
    uint64_t allowed = (uint64_t)(ws + 1u) * m.part->hz_per_wait_state;
    if (m.part->f401) allowed = ws == 0 ? 30000000u : ws == 1 ? 64000000u : 84000000u;
    if (sys > allowed) violation("SYSCLK faster than the flash wait states allow");
}

static uint32_t model_read(uint32_t addr) {
    m.reads++;
    if (m.emulated) return 0;
    switch (addr) {
    case RM_RCC_CR:
        if ((m.cr & RM_CR_PLLON) && m.pll_locks && m.pending_pll > 0 && --m.pending_pll == 0)
            m.cr |= RM_CR_PLLRDY;
        return m.cr;
    case RM_RCC_PLLCFGR: return m.pllcfgr;
    case RM_RCC_CFGR: return m.cfgr;
    case RM_FLASH_ACR: return m.acr;
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
        uint32_t rw = RM_CR_HSION | RM_CR_PLLON | (1u << 16) | (1u << 18) | (1u << 19);
        uint32_t was_on = m.cr & RM_CR_PLLON;
        m.cr = (m.cr & ~rw) | (value & rw);
        m.cr = (m.cr & RM_CR_HSION) ? m.cr | RM_CR_HSIRDY : m.cr & ~RM_CR_HSIRDY;
        if (!(m.cr & RM_CR_PLLON)) m.cr &= ~RM_CR_PLLRDY;
        if ((m.cr & RM_CR_PLLON) && !was_on) m.pending_pll = 3;
        break;
    }
    case RM_RCC_PLLCFGR:
        if (m.cr & RM_CR_PLLON) {
            violation("PLLCFGR written while the PLL is on");
            return;
        }
        m.pllcfgr = value;
        break;
    case RM_RCC_CFGR: {
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

static void model_reset(const part_limits_t *part) {
    memset(&m, 0, sizeof m);
    m.cr = 0x00000083u; /* HSION, HSIRDY, HSITRIM 16: the reset value */
    m.pllcfgr = 0x24003010u;
    m.pll_locks = 1;
    m.part = part;
}

/* ---- the boards' configurations (the driver's presets) ---- */

static void check_board(const part_limits_t *part, const stm32f4_clock_config_t *cfg, uint32_t sys,
                        uint32_t pclk1, uint32_t pclk2) {
    model_reset(part);
    TP_CHECK_EQ(stm32f4_clock_init(cfg), STM32_CLOCK_OK);
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f4_sysclk_hz(0), sys);
    TP_CHECK_EQ(stm32f4_hclk_hz(0), sys);
    TP_CHECK_EQ(stm32f4_pclk1_hz(0), pclk1);
    TP_CHECK_EQ(stm32f4_pclk2_hz(0), pclk2);
    TP_CHECK_EQ(model_sysclk(), sys); /* the model agrees with the read-back */
    TP_CHECK_EQ(m.acr & 7u, cfg->flash_wait_states);
    TP_CHECK_EQ(m.pllcfgr & (1u << 22), 0u);         /* from HSI */
    TP_CHECK_EQ(m.pllcfgr & (1u << 29), 1u << 29);   /* reserved bit kept at reset */
    TP_CHECK_EQ((m.pllcfgr >> 24) & 0xFu, cfg->pllq); /* USB at 48 MHz */
    TP_CHECK_EQ(16000000ull / cfg->pllm * cfg->plln / cfg->pllq, 48000000u);
}

static void test_f405_f407_at_168mhz(void) {
    check_board(&F405, &stm32f4_clock_f405_168mhz, 168000000u, 42000000u, 84000000u);
}

static void test_f401_at_84mhz(void) {
    check_board(&F401, &stm32f4_clock_f401_84mhz, 84000000u, 42000000u, 84000000u);
}

static void test_f205_at_120mhz(void) {
    check_board(&F205, &stm32f4_clock_f205_120mhz, 120000000u, 30000000u, 60000000u);
}

static void test_emulator_is_left_alone(void) {
    model_reset(&F405);
    m.emulated = 1;
    TP_CHECK_EQ(stm32f4_clock_init(&stm32f4_clock_f405_168mhz), STM32_CLOCK_EMULATED);
    TP_CHECK_EQ(m.writes, 0u);
    TP_CHECK_EQ(stm32f4_sysclk_hz(0), 0u);
}

static void test_pll_that_never_locks(void) {
    model_reset(&F405);
    m.pll_locks = 0;
    TP_CHECK_EQ(stm32f4_clock_init(&stm32f4_clock_f405_168mhz), STM32_CLOCK_PLL_FAILED);
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f4_sysclk_hz(0), 16000000u); /* still on HSI, and says so */
    TP_CHECK(m.reads <= STM32_CLOCK_WAIT_READS + 64u); /* the wait gave up */
}

static void test_from_a_running_pll(void) {
    /* a boot loader left the PLL on at 96 MHz with other factors */
    model_reset(&F405);
    m.acr = 3;
    m.pllcfgr = 0x24000000u | 8u | 96u << 6 | 0u << 16 | 4u << 24; /* 16/8*96/2 = 96 MHz */
    m.cr |= RM_CR_PLLON | RM_CR_PLLRDY;
    m.cfgr = 2u | 2u << 2 | 0x5u << 10 | 0x4u << 13; /* on the PLL, APB1 / 4, APB2 / 2 */
    check_rules();
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f4_clock_init(&stm32f4_clock_f405_168mhz), STM32_CLOCK_OK);
    TP_CHECK_EQ(m.violations, 0u);
    TP_CHECK_EQ(stm32f4_sysclk_hz(0), 168000000u);
}

static void test_bad_configurations_change_nothing(void) {
    static const stm32f4_clock_config_t bad[] = {
        {1, 336, 2, 7, 5, 4, 2},  {16, 336, 3, 7, 5, 4, 2}, {16, 336, 2, 1, 5, 4, 2},
        {16, 336, 2, 7, 8, 4, 2}, {16, 336, 2, 7, 5, 3, 2}, {16, 336, 2, 7, 5, 4, 32},
        {16, 500, 2, 7, 5, 4, 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        model_reset(&F405);
        TP_CHECK_EQ(stm32f4_clock_init(&bad[i]), STM32_CLOCK_BAD_CONFIG);
        TP_CHECK_EQ(m.writes, 0u);
    }
}

static void test_read_back_of_dividers_and_hse(void) {
    model_reset(&F405);
    m.cfgr = 0x9u << 4 | 0x5u << 10 | 0x6u << 13; /* on HSI; AHB / 4, APB1 / 4, APB2 / 8 */
    TP_CHECK_EQ(stm32f4_hclk_hz(0), 4000000u);
    TP_CHECK_EQ(stm32f4_pclk1_hz(0), 1000000u);
    TP_CHECK_EQ(stm32f4_pclk2_hz(0), 500000u);
    m.cfgr = 1u << 2; /* on HSE */
    TP_CHECK_EQ(stm32f4_sysclk_hz(25000000u), 25000000u);
    m.cfgr = 2u << 2;
    m.pllcfgr = 25u | 336u << 6 | 1u << 16 | 1u << 22 | 7u << 24; /* 25 MHz HSE /25 *336 /4 */
    TP_CHECK_EQ(stm32f4_sysclk_hz(25000000u), 84000000u);
}

static const tp_test_case cases[] = {
    TP_CASE(test_f405_f407_at_168mhz),     TP_CASE(test_f401_at_84mhz),
    TP_CASE(test_f205_at_120mhz),          TP_CASE(test_emulator_is_left_alone),
    TP_CASE(test_pll_that_never_locks),    TP_CASE(test_from_a_running_pll),
    TP_CASE(test_bad_configurations_change_nothing),
    TP_CASE(test_read_back_of_dividers_and_hse),
};

int main(void) { return tp_test_main("stm32f4_clock", cases, TP_COUNT(cases)); }
