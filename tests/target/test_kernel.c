// SPDX-License-Identifier: MIT
/*
 * test_kernel.c - the boot sequence, memory map, stacks, critical sections,
 * timer, FPU, console and host files, on the target.
 *
 *@uart  (also built with CONSOLE=uart and run where the UART is emulated)
 *@expect-output ^console: hello 42 -7 0x2a \[  abc\] 0x00001234$
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "cortexm.h"
#include "critical.h"
#include "fmt.h"
#include "memmap.h"
#include "semihost.h"
#include "stack.h"
#include "system.h"
#include "tests/harness.h"
#include "timer.h"
#include "vectors.h"

#define ADDR(sym) ((uintptr_t)(sym))

/* ---- .data and .bss ---- */
static volatile uint32_t initialised_word = 0x12345678u;
static volatile uint8_t initialised_bytes[5] = {1, 2, 3, 4, 5};
static volatile uint32_t zeroed_words[64];
static const uint32_t constant_table[4] = {0xCAFEF00Du, 1u, 2u, 3u};

static void test_data_initialised(void) {
    TP_CHECK_EQ(initialised_word, 0x12345678u);
    for (unsigned i = 0; i < 5; i++) TP_CHECK_EQ(initialised_bytes[i], i + 1u);
    /* the variable lives in RAM .data, its initial value came from flash */
    TP_CHECK(ADDR(&initialised_word) >= ADDR(_sdata) && ADDR(&initialised_word) < ADDR(_edata));
    TP_CHECK(ADDR(_sidata) >= ADDR(__flash_start) && ADDR(_sidata) < ADDR(__flash_end));
    /* constants stay in flash */
    TP_CHECK(ADDR(constant_table) >= ADDR(__flash_start) && ADDR(constant_table) < ADDR(__flash_end));
    TP_CHECK_EQ(constant_table[0], 0xCAFEF00Du);
}

static void test_bss_zeroed(void) {
    TP_CHECK(ADDR(zeroed_words) >= ADDR(_sbss) && ADDR(zeroed_words) < ADDR(_ebss));
    for (unsigned i = 0; i < 64; i++) TP_CHECK_EQ(zeroed_words[i], 0);
}

/* ---- the memory map the linker produced ---- */
static void test_memory_map_order(void) {
    TP_CHECK(ADDR(__ram_start) <= ADDR(_sdata));
    TP_CHECK(ADDR(_sdata) <= ADDR(_edata));
    TP_CHECK(ADDR(_edata) <= ADDR(_sbss));
    TP_CHECK(ADDR(_sbss) <= ADDR(_ebss));
    TP_CHECK(ADDR(_ebss) <= ADDR(__heap_start));
    TP_CHECK(ADDR(__heap_start) < ADDR(__heap_end));
    TP_CHECK_EQ(ADDR(__heap_end), ADDR(__handler_stack_bottom));
    TP_CHECK(ADDR(__handler_stack_bottom) < ADDR(__handler_stack_top));
    TP_CHECK_EQ(ADDR(__handler_stack_top), ADDR(__stack_guard_start));
    TP_CHECK(ADDR(__stack_guard_start) < ADDR(__stack_limit));
    TP_CHECK(ADDR(__stack_limit) < ADDR(__stack_top));
    TP_CHECK_EQ(ADDR(__stack_top), ADDR(_estack));
    TP_CHECK_EQ(ADDR(_estack), ADDR(__ram_end));
    TP_CHECK_EQ(ADDR(end), ADDR(__heap_start));
    TP_CHECK_EQ(ADDR(__heap_start) % 8u, 0);
    TP_CHECK_EQ(ADDR(__stack_limit) % 8u, 0);
    TP_CHECK(ADDR(__flash_used_end) <= ADDR(__flash_end));
    /* the vector table is where the core found it */
    TP_CHECK_EQ(*(const uint32_t *)SCB_VTOR, ADDR(__handler_stack_top));
    TP_CHECK_EQ(((const uint32_t *)SCB_VTOR)[1] & ~1u, ADDR(Reset_Handler) & ~1u);

    tp_region_t regions[TP_MAX_HEAP_REGIONS];
    size_t n = tp_heap_regions(regions);
    TP_CHECK(n >= 1);
    TP_CHECK_EQ(regions[0].start, ADDR(__heap_start));
    TP_CHECK_EQ(regions[0].end, ADDR(__heap_end));
    for (size_t i = 1; i < n; i++) TP_CHECK(regions[i].end > regions[i].start);
}

/* ---- stacks ---- */
__attribute__((noinline)) static uint32_t use_stack(unsigned bytes) {
    volatile uint8_t buf[1024];
    if (bytes > sizeof buf) bytes = sizeof buf;
    for (unsigned i = 0; i < bytes; i++) buf[i] = (uint8_t)i;
    uint32_t sum = 0;
    for (unsigned i = 0; i < bytes; i++) sum += buf[i];
    return sum;
}

static void test_main_runs_on_thread_stack(void) {
    uint32_t sp = tp_get_sp();
    TP_CHECK_EQ(tp_get_control() & 2u, 2u); /* SPSEL: thread mode uses PSP */
    TP_CHECK(sp > ADDR(__stack_limit) && sp <= ADDR(__stack_top));
    TP_CHECK_EQ(tp_get_psp(), sp);
}

static void test_stack_high_water(void) {
    size_t before = tp_stack_high_water();
    TP_CHECK(before > 0 && before < tp_stack_size());
    size_t room = ADDR(tp_get_sp()) - ADDR(__stack_limit);
    unsigned want = room > 1200u ? 1000u : (unsigned)(room / 2u);
    TP_CHECK(use_stack(want) > 0 || want == 0);
    size_t after = tp_stack_high_water();
    /* the mark moved down by at least the buffer that was touched */
    size_t depth_now = ADDR(__stack_top) - ADDR(tp_get_sp());
    TP_CHECK(after >= depth_now + want);
    TP_CHECK(after <= tp_stack_size());
    TP_CHECK(tp_stack_high_water() == after); /* stable: reading it costs no stack below */
}

/* ---- interrupts: PendSV is ours to play with ---- */
static volatile unsigned pendsv_count;
static volatile uint32_t pendsv_sp, pendsv_primask_after;
#define ICSR_PENDSVSET (1u << 28)

void PendSV_Handler(void) {
    pendsv_count++;
    pendsv_sp = tp_get_sp();
    /* a critical section inside a handler restores the handler's own state */
    tp_irqstate_t s = tp_critical_enter();
    tp_irqstate_t s2 = tp_critical_enter();
    tp_critical_exit(s2);
    tp_critical_exit(s);
    pendsv_primask_after = tp_get_primask();
}

static void pend_pendsv(void) {
    SCB_ICSR = ICSR_PENDSVSET;
    tp_dsb();
    tp_isb();
}

static void test_handlers_run_on_handler_stack(void) {
    unsigned n = pendsv_count;
    pend_pendsv();
    TP_CHECK_EQ(pendsv_count, n + 1u);
    TP_CHECK(pendsv_sp >= ADDR(__handler_stack_bottom) && pendsv_sp < ADDR(__handler_stack_top));
    TP_CHECK_EQ(pendsv_primask_after, 0);
    TP_CHECK(tp_handler_stack_high_water() > 0);
    TP_CHECK(tp_handler_stack_high_water() < tp_handler_stack_size());
}

static void test_critical_sections_nest(void) {
    TP_CHECK(!tp_in_critical());
    tp_irqstate_t outer = tp_critical_enter();
    TP_CHECK(tp_in_critical());
    tp_irqstate_t inner = tp_critical_enter();
    TP_CHECK(tp_in_critical());
    tp_critical_exit(inner);
    TP_CHECK(tp_in_critical()); /* inner exit must not unmask */
    tp_critical_exit(outer);
    TP_CHECK(!tp_in_critical());
}

static void test_critical_section_defers_interrupt(void) {
    unsigned n = pendsv_count;
    tp_irqstate_t s = tp_critical_enter();
    pend_pendsv();
    for (volatile int i = 0; i < 100; i++) {
    }
    TP_CHECK_EQ(pendsv_count, n); /* masked: still pending */
    TP_CHECK(SCB_ICSR & ICSR_PENDSVSET);
    tp_critical_exit(s);
    tp_isb();
    TP_CHECK_EQ(pendsv_count, n + 1u); /* taken as soon as unmasked */
}

/* ---- timer ---- */
/* Run first: the time at main is the boot's few hundred thousand cycles,
 * not a SysTick period (2^24 cycles) the timer's start took for one gone. */
static void test_timer_starts_at_boot(void) {
    uint64_t now = tp_timer_cycles();
    TP_CHECK(now > 0);
    TP_CHECK(now < (1u << 22));
}

static void test_timer_advances(void) {
    /* under QEMU the clock is the emulator's: the board's CORE_HZ */
    TP_CHECK_EQ(SystemCoreClock, TP_CORE_HZ);
    TP_CHECK_EQ(board_clock_hz(), TP_CORE_HZ);
    TP_CHECK_EQ(tp_timer_hz(), SystemCoreClock);
    TP_CHECK(tp_timer_source() != NULL);
    uint64_t a = tp_timer_cycles();
    for (volatile int i = 0; i < 20000; i++) {
    }
    uint64_t b = tp_timer_cycles();
    TP_CHECK(b > a);
}

/* A program that changes the clock (and says so in SystemCoreClock) keeps
 * the milliseconds counted before the change; they neither jump nor step
 * back.  Here the clock is only said to change: the conversion is what is
 * tested. */
static void test_timer_ms_across_a_clock_change(void) {
    uint32_t hz = SystemCoreClock;
    for (volatile int i = 0; i < 200000; i++) {
    }
    uint32_t before = tp_timer_ms();
    SystemCoreClock = hz / 4u;
    uint32_t after_slower = tp_timer_ms();
    TP_CHECK(after_slower >= before && after_slower - before <= 1u);
    SystemCoreClock = hz * 2u;
    uint32_t after_faster = tp_timer_ms();
    TP_CHECK(after_faster >= after_slower && after_faster - after_slower <= 1u);
    SystemCoreClock = hz;
    TP_CHECK(tp_timer_ms() >= after_faster);
}

static void test_timer_monotonic_across_wrap(void) {
    /* SysTick wraps every 2^24 cycles: read continuously until a wrap has
     * been taken, and never see time go backwards. */
    uint32_t wraps0 = tp_timer_wraps();
    uint64_t prev = tp_timer_cycles();
    int backwards = 0;
    uint32_t reads = 0;
    while (tp_timer_wraps() == wraps0 && reads < 50000000u) {
        uint64_t now = tp_timer_cycles();
        if (now < prev) backwards++;
        prev = now;
        reads++;
    }
    TP_CHECK(tp_timer_wraps() > wraps0);
    TP_CHECK_EQ(backwards, 0);
    /* each reload counted is a period gone; the time is within the next one */
    uint64_t now = tp_timer_cycles();
    TP_CHECK(now >= (uint64_t)tp_timer_wraps() << 24);
    TP_CHECK(now < ((uint64_t)tp_timer_wraps() + 1u) << 24);
}

/* ---- FPU ---- */
#if TP_HAS_FPU
static void test_fpu_enabled(void) {
    TP_CHECK_EQ((SCB_CPACR >> 20) & 0xFu, 0xFu);
    volatile float a = 1.5f, b = 2.25f;
    float c = a * b;
    TP_CHECK(c == 3.375f);
    volatile float two = 2.0f;
    float r;
    __asm volatile("vsqrt.f32 %0, %1" : "=t"(r) : "t"(two)); /* an FPU instruction, not a libcall */
    TP_CHECK(r > 1.41421f && r < 1.41422f);
}
#endif

/* ---- console and formatter ---- */
static void test_console_output(void) {
    size_t n = tp_printf("console: hello %d %d %#x [%5s] %p\n", 42, -7, 42u, "abc", (void *)0x1234);
    TP_CHECK_EQ(n, strlen("console: hello 42 -7 0x2a [  abc] 0x00001234\n"));
    char buf[32];
    TP_CHECK_EQ(tp_snprintf(buf, sizeof buf, "%08lx|%-4u|%llu", 0xBEEFul, 7u, 1ull << 40),
                strlen("0000beef|7   |1099511627776"));
    TP_CHECK_STR(buf, "0000beef|7   |1099511627776");
    TP_CHECK_STR(tp_console_backend(), TP_CONSOLE_UART ? "uart" : "semihost");
}

/* ---- host files over semihosting ---- */
#if TP_SEMIHOSTING
static void test_host_file_roundtrip(void) {
    static const char name[] = "tp_hostfile_test.bin";
    uint8_t out[200], in[200];
    for (unsigned i = 0; i < sizeof out; i++) out[i] = (uint8_t)(i * 7u + 3u);
    int h = tp_hostfile_open(name, SH_MODE_WB);
    TP_CHECK(h >= 0);
    if (h < 0) return;
    TP_CHECK_EQ(tp_hostfile_write(h, out, sizeof out), sizeof out);
    TP_CHECK_EQ(tp_hostfile_close(h), 0);

    h = tp_hostfile_open(name, SH_MODE_RB);
    TP_CHECK(h >= 0);
    if (h < 0) return;
    TP_CHECK_EQ(tp_hostfile_length(h), sizeof out);
    memset(in, 0, sizeof in);
    TP_CHECK_EQ(tp_hostfile_read(h, in, sizeof in), sizeof in);
    TP_CHECK(memcmp(in, out, sizeof out) == 0);
    TP_CHECK_EQ(tp_hostfile_read(h, in, sizeof in), 0); /* end of file */
    TP_CHECK_EQ(tp_hostfile_close(h), 0);
    TP_CHECK_EQ(tp_hostfile_remove(name), 0);
    TP_CHECK(tp_hostfile_open(name, SH_MODE_RB) < 0); /* really gone */
}
#endif

static void test_stack_guard_armed(void) {
#if defined(TP_ARCH_V8M_MAIN)
    uint32_t psplim;
    __asm volatile("mrs %0, psplim" : "=r"(psplim));
    TP_CHECK_EQ(psplim, ADDR(__stack_limit));
    TP_CHECK_EQ(tp_stack_guard_kind(), TP_GUARD_SPLIM);
#elif defined(TP_ARCH_V7M)
    if (((MPU_TYPE >> 8) & 0xFFu) != 0) {
        TP_CHECK_EQ(tp_stack_guard_kind(), TP_GUARD_MPU);
        TP_CHECK(MPU_CTRL & MPU_CTRL_ENABLE);
        MPU_RNR = 0;
        TP_CHECK_EQ(MPU_RBAR & ~0x1Fu, ADDR(__stack_guard_start));
    } else {
        TP_CHECK_EQ(tp_stack_guard_kind(), TP_GUARD_CANARY);
    }
#else
    TP_CHECK_EQ(tp_stack_guard_kind(), TP_GUARD_CANARY);
#endif
    if (tp_stack_guard_kind() != TP_GUARD_MPU) {
        const uint32_t *g = (const uint32_t *)ADDR(__stack_guard_start);
        TP_CHECK_EQ(g[0], TP_STACK_CANARY);
        TP_CHECK_EQ(tp_stack_check(), 0);
    }
}

static const tp_test_case cases[] = {
    TP_CASE(test_timer_starts_at_boot),
    TP_CASE(test_data_initialised),
    TP_CASE(test_bss_zeroed),
    TP_CASE(test_memory_map_order),
    TP_CASE(test_main_runs_on_thread_stack),
    TP_CASE(test_stack_high_water),
    TP_CASE(test_stack_guard_armed),
    TP_CASE(test_handlers_run_on_handler_stack),
    TP_CASE(test_critical_sections_nest),
    TP_CASE(test_critical_section_defers_interrupt),
    TP_CASE(test_timer_advances),
    TP_CASE(test_timer_ms_across_a_clock_change),
    TP_CASE(test_timer_monotonic_across_wrap),
#if TP_HAS_FPU
    TP_CASE(test_fpu_enabled),
#endif
    TP_CASE(test_console_output),
#if TP_SEMIHOSTING
    TP_CASE(test_host_file_roundtrip),
#endif
};

int main(void) { return tp_test_main("kernel", cases, TP_COUNT(cases)); }
