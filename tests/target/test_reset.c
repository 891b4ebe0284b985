// SPDX-License-Identifier: MIT
/*
 * test_reset.c - the reset handler really copies .data and zeroes .bss.
 *
 * QEMU starts with RAM zeroed, so a cold boot cannot tell.  This image dirties
 * .data and .bss, then asks for a system reset (AIRCR.SYSRESETREQ): RAM
 * survives a reset, so only the reset handler can put them right.  A
 * .noinit variable (never copied, never zeroed) carries the state across.
 *
 *@expect-output ^reset-test: second boot$
 */
#include <stdint.h>

#include "console.h"
#include "cortexm.h"
#include "tests/harness.h"

#define MAGIC 0x5EB007EDu

__attribute__((section(".noinit"))) static volatile uint32_t boots_magic;
__attribute__((section(".noinit"))) static volatile uint32_t boots;
static volatile uint32_t data_word = 0x600DDA7Au;
static volatile uint32_t bss_words[16];
static volatile int constructor_ran;

__attribute__((constructor)) static void mark_constructor(void) { constructor_ran = 1; }

static void test_constructors_ran(void) { TP_CHECK_EQ(constructor_ran, 1); }

static void test_data_and_bss_restored_after_reset(void) {
    TP_CHECK_EQ(boots, 2u);
    TP_CHECK_EQ(data_word, 0x600DDA7Au);
    for (unsigned i = 0; i < 16; i++) TP_CHECK_EQ(bss_words[i], 0);
}

static const tp_test_case cases[] = {
    TP_CASE(test_constructors_ran),
    TP_CASE(test_data_and_bss_restored_after_reset),
};

int main(void) {
    if (boots_magic != MAGIC) { /* first boot (noinit RAM holds whatever it held) */
        boots_magic = MAGIC;
        boots = 1;
        data_word = 0xBADBADu;
        for (unsigned i = 0; i < 16; i++) bss_words[i] = 0xFFFFFFFFu - i;
        tp_printf("reset-test: first boot, dirtied .data and .bss, resetting\n");
        tp_console_flush();
        tp_dsb();
        SCB_AIRCR = (0x05FAu << 16) | (1u << 2); /* VECTKEY | SYSRESETREQ */
        tp_dsb();
        for (;;) {
        }
    }
    boots++;
    tp_printf("reset-test: second boot\n");
    boots_magic = 0;
    return tp_test_main("reset", cases, TP_COUNT(cases));
}
