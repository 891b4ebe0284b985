// SPDX-License-Identifier: MIT
/*
 * stack.c - stack painting, guard set-up and overflow reports (see stack.h).
 */
#include "stack.h"

#include "console.h"
#include "cortexm.h"
#include "memmap.h"
#include "runtime.h"

static tp_guard_kind_t guard_kind = TP_GUARD_NONE;

static void paint(uint32_t *from, uint32_t *to, uint32_t pattern) {
    for (volatile uint32_t *p = from; p < to; p++) *p = pattern;
}

/* Lowest-address word that differs from the pattern = deepest use. */
static size_t used_bytes(const uint32_t *bottom, const uint32_t *top) {
    const volatile uint32_t *p = bottom;
    while (p < top && *p == TP_STACK_PAINT) p++;
    return (size_t)((uintptr_t)top - (uintptr_t)p);
}

#if defined(TP_ARCH_V7M)
static int mpu_regions(void) { return (int)((MPU_TYPE >> 8) & 0xFFu); }

static int log2_exact(uint32_t v) {
    int n = 0;
    if (v == 0 || (v & (v - 1u)) != 0) return -1;
    while (v > 1u) {
        v >>= 1;
        n++;
    }
    return n;
}

static int mpu_guard_setup(void) {
    uint32_t base = (uint32_t)(uintptr_t)__stack_guard_start;
    uint32_t size = (uint32_t)((uintptr_t)__stack_limit - base);
    int order = log2_exact(size);
    if (mpu_regions() == 0 || order < 5 || (base & (size - 1u)) != 0) return 0;
    MPU_CTRL = 0;
    MPU_RNR = 0;
    MPU_RBAR = base;
    /* AP=000 (no access, privileged or not), XN, SIZE = log2(size)-1 */
    MPU_RASR = MPU_RASR_XN | ((uint32_t)(order - 1) << 1) | MPU_RASR_ENABLE;
    /* PRIVDEFENA: everything else keeps the default memory map */
    MPU_CTRL = MPU_CTRL_PRIVDEFENA | MPU_CTRL_ENABLE;
    tp_dsb();
    tp_isb();
    return 1;
}
#endif

void tp_stack_init(void) {
    /* The thread stack is idle: paint it all. The handler stack is in use by
     * this very function: paint only well below the current stack pointer. */
    paint((uint32_t *)(uintptr_t)__stack_limit, (uint32_t *)(uintptr_t)__stack_top,
          TP_STACK_PAINT);
    uintptr_t sp = tp_get_sp();
    uintptr_t paint_top = (sp - 64u) & ~(uintptr_t)3u;
    if (paint_top > (uintptr_t)__handler_stack_bottom)
        paint((uint32_t *)(uintptr_t)__handler_stack_bottom, (uint32_t *)paint_top,
              TP_STACK_PAINT);

#if TP_HAS_CONFIGURABLE_FAULTS
    /* Report MemManage/BusFault/UsageFault as themselves, not as HardFault. */
    SCB_SHCSR |= SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA;
    SCB_CCR |= CCR_DIV_0_TRP;
#endif

#if defined(TP_ARCH_V8M_MAIN)
    __asm volatile("msr psplim, %0" ::"r"((uint32_t)(uintptr_t)__stack_limit));
    __asm volatile("msr msplim, %0" ::"r"((uint32_t)(uintptr_t)__handler_stack_bottom));
    guard_kind = TP_GUARD_SPLIM;
    /* keep the guard gap painted as a canary too: costs nothing */
    paint((uint32_t *)(uintptr_t)__stack_guard_start, (uint32_t *)(uintptr_t)__stack_limit,
          TP_STACK_CANARY);
#elif defined(TP_ARCH_V7M)
    if (mpu_guard_setup()) {
        guard_kind = TP_GUARD_MPU;
    } else {
        paint((uint32_t *)(uintptr_t)__stack_guard_start, (uint32_t *)(uintptr_t)__stack_limit,
              TP_STACK_CANARY);
        guard_kind = TP_GUARD_CANARY;
    }
#else
    paint((uint32_t *)(uintptr_t)__stack_guard_start, (uint32_t *)(uintptr_t)__stack_limit,
          TP_STACK_CANARY);
    guard_kind = TP_GUARD_CANARY;
#endif
}

tp_guard_kind_t tp_stack_guard_kind(void) { return guard_kind; }

const char *tp_stack_guard_name(void) {
    switch (guard_kind) {
    case TP_GUARD_CANARY: return "canary (software check)";
    case TP_GUARD_MPU: return "MPU no-access region";
    case TP_GUARD_SPLIM: return "PSPLIM/MSPLIM stack limit";
    default: return "none";
    }
}

size_t tp_stack_size(void) { return (size_t)((uintptr_t)__stack_top - (uintptr_t)__stack_limit); }

/* Depth seen before the last repaint (the since-boot figure), and the
 * depth carried into the current window from windows inside it. */
static size_t boot_deepest, window_floor;

static size_t thread_used(void) {
    return used_bytes((const uint32_t *)(uintptr_t)__stack_limit,
                      (const uint32_t *)(uintptr_t)__stack_top);
}

size_t tp_stack_high_water(void) {
    size_t now = thread_used();
    return now > boot_deepest ? now : boot_deepest;
}

size_t tp_stack_window_reset(void) {
    size_t deepest = thread_used();
    if (window_floor > deepest) deepest = window_floor;
    if (deepest > boot_deepest) boot_deepest = deepest;
    window_floor = 0;
    /* repaint what lies below us, leaving room for paint()'s own frame */
    uintptr_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    uintptr_t top = (sp - 64u) & ~(uintptr_t)3u;
    if (top > (uintptr_t)__stack_limit)
        paint((uint32_t *)(uintptr_t)__stack_limit, (uint32_t *)top, TP_STACK_PAINT);
    return deepest;
}

void tp_stack_window_carry(size_t depth) {
    if (depth > window_floor) window_floor = depth;
}

size_t tp_handler_stack_size(void) { return (size_t)((uintptr_t)__handler_stack_top - (uintptr_t)__handler_stack_bottom); }

size_t tp_handler_stack_high_water(void) {
    return used_bytes((const uint32_t *)(uintptr_t)__handler_stack_bottom,
                      (const uint32_t *)(uintptr_t)__handler_stack_top);
}

int tp_stack_in_guard(uintptr_t addr) {
    return addr >= (uintptr_t)__stack_guard_start && addr < (uintptr_t)__stack_limit;
}

static volatile int overflow_reported;

int tp_stack_check(void) {
    if (guard_kind == TP_GUARD_MPU) return 0; /* the guard is not readable */
    if (overflow_reported) return 1;          /* reported once; we are on the way out */
    const volatile uint32_t *p = (const uint32_t *)(uintptr_t)__stack_guard_start;
    const uint32_t *lim = (const uint32_t *)(uintptr_t)__stack_limit;
    for (; p < lim; p++) {
        if (*p != TP_STACK_CANARY) tp_stack_overflow("canary below the thread stack overwritten", (uintptr_t)p);
    }
    return 0;
}

void tp_stack_overflow(const char *how, uintptr_t where) {
    overflow_reported = 1;
    tp_console_flush();
    tp_printf("\n*** STACK OVERFLOW: the thread stack (%u bytes, %p..%p) overflowed\n",
              (unsigned)tp_stack_size(), (void *)__stack_limit, (void *)__stack_top);
    tp_printf("    detected by: %s, at %p\n", how, (void *)where);
    tp_printf("    raise __stack_size in the board's memory.ld or use less stack\n");
    tp_console_flush();
    tp_exit(TP_EXIT_STACK_OVERFLOW);
}
