// SPDX-License-Identifier: MIT
/*
 * startup.c - the vector table and the reset handler: the boot sequence.
 *
 * Every handler is weak - an alias of Default_Handler, or the kernel's own
 * (the faults in fault.c, SysTick in timer.c) - so firmware overrides one by
 * defining a function of the same name.  Device interrupts are named
 * IRQ<n>_Handler (n = 0..TP_IRQ_COUNT-1, set per board in board.mk).
 *
 * A board whose board.mk names its part's interrupt table (IRQ_NAMES: a file
 * of irq_names/, passed as TP_IRQ_TABLE) also gives each of its interrupts
 * the vendor's name, the one CMSIS startup files and CubeMX use:
 * USART1_IRQHandler on an STM32F4 is IRQ 37.  The table's slot then holds
 * the vendor name, so a handler of that name costs nothing more; the vendor
 * name's weak default forwards to IRQ<n>_Handler (a branch; a call on
 * ARMv6-M), so a handler by number still works.  Define one of the two: when
 * both exist, the vendor name wins.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "cortexm.h"
#include "irq.h"
#include "memmap.h"
#include "runtime.h"
#include "stack.h"
#include "system.h"
#include "timer.h"
#include "vectors.h"

#ifndef TP_IRQ_COUNT
#define TP_IRQ_COUNT 32
#endif
#if TP_IRQ_COUNT > 128
#error "TP_IRQ_COUNT above 128 is not supported by startup.c"
#endif

typedef void (*tp_handler_t)(void);


#define WEAK_HANDLER(name) void name(void) __attribute__((weak, alias("Default_Handler")))
WEAK_HANDLER(NMI_Handler);
WEAK_HANDLER(SecureFault_Handler);
WEAK_HANDLER(SVC_Handler);
WEAK_HANDLER(DebugMon_Handler);
WEAK_HANDLER(PendSV_Handler);
/* The kernel's own handlers (fault.c, timer.c), weak there so firmware can
 * still replace one.  Named here, not given a default: the table's
 * reference is what pulls their files out of the kernel's library. */
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SysTick_Handler(void);

#define IRQ_DECL(n) WEAK_HANDLER(IRQ##n##_Handler);
#define IRQ_ENTRY(n) IRQ##n##_Handler,
/* IRQ numbers are spelled out so that names read IRQ0..IRQ127. */
#define IRQ_0_15(M)                                                                                \
    M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
#define IRQ_16_31(M)                                                                               \
    M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23) M(24) M(25) M(26) M(27) M(28) M(29) M(30) M(31)
#define IRQ_32_47(M)                                                                               \
    M(32) M(33) M(34) M(35) M(36) M(37) M(38) M(39) M(40) M(41) M(42) M(43) M(44) M(45) M(46) M(47)
#define IRQ_48_63(M)                                                                               \
    M(48) M(49) M(50) M(51) M(52) M(53) M(54) M(55) M(56) M(57) M(58) M(59) M(60) M(61) M(62) M(63)
#define IRQ_64_79(M)                                                                               \
    M(64) M(65) M(66) M(67) M(68) M(69) M(70) M(71) M(72) M(73) M(74) M(75) M(76) M(77) M(78) M(79)
#define IRQ_80_95(M)                                                                               \
    M(80) M(81) M(82) M(83) M(84) M(85) M(86) M(87) M(88) M(89) M(90) M(91) M(92) M(93) M(94) M(95)
#define IRQ_96_111(M)                                                                              \
    M(96) M(97) M(98) M(99) M(100) M(101) M(102) M(103) M(104) M(105) M(106) M(107) M(108) M(109)  \
        M(110) M(111)
#define IRQ_112_127(M)                                                                             \
    M(112) M(113) M(114) M(115) M(116) M(117) M(118) M(119) M(120) M(121) M(122) M(123) M(124)     \
        M(125) M(126) M(127)

IRQ_0_15(IRQ_DECL)
IRQ_16_31(IRQ_DECL)
IRQ_32_47(IRQ_DECL)
IRQ_48_63(IRQ_DECL)
IRQ_64_79(IRQ_DECL)
IRQ_80_95(IRQ_DECL)
IRQ_96_111(IRQ_DECL)
IRQ_112_127(IRQ_DECL)

#ifdef TP_IRQ_TABLE /* its names and numbers come with irq.h */
_Static_assert(TP_IRQ_NAMES_COUNT <= TP_IRQ_COUNT,
               "the board's IRQ_COUNT is smaller than its part's interrupt table (IRQ_NAMES)");

/* Each vendor name's default: on ARMv7-M/v8-M a 4-byte branch to the
 * handler by number (it reaches anywhere); on ARMv6-M, whose short branch
 * does not, a call. */
#if defined(TP_ARCH_V6M)
#define VENDOR_FORWARD(n, name)                                                                    \
    __attribute__((used)) static void forward_to_irq##n(void) { IRQ##n##_Handler(); }              \
    void name##_IRQHandler(void) __attribute__((weak, alias("forward_to_irq" #n)));
#else
#define VENDOR_FORWARD(n, name)                                                                    \
    __attribute__((naked, used)) static void forward_to_irq##n(void) {                             \
        __asm volatile("b IRQ" #n "_Handler");                                                    \
    }                                                                                              \
    void name##_IRQHandler(void) __attribute__((weak, alias("forward_to_irq" #n)));
#endif
TP_IRQ_NAMES(VENDOR_FORWARD)

#define VENDOR_ENTRY(n, name) [n] = name##_IRQHandler,
/* For Default_Handler's report: "37:USART1" for each named slot, one after
 * the other, each NUL-terminated; an empty one ends the list. */
#define VENDOR_RECORD(n, name) #n ":" #name "\0"
static const char vendor_names[] = TP_IRQ_NAMES(VENDOR_RECORD);

static const char *vendor_name(unsigned irq) {
    for (const char *p = vendor_names; *p; p += strlen(p) + 1) {
        unsigned n = 0;
        const char *c = p;
        while (*c >= '0' && *c <= '9') n = n * 10u + (unsigned)(*c++ - '0');
        if (n == irq) return c + 1; /* past the ':' */
    }
    return NULL;
}
#endif

/* The table's layout is fixed by the architecture: initial MSP, then the
 * 15 system exceptions, then the device interrupts. */
typedef struct {
    void *initial_msp;
    tp_handler_t reset, nmi, hard_fault, mem_manage, bus_fault, usage_fault, secure_fault;
    tp_handler_t reserved1[3];
    tp_handler_t svc, debug_monitor;
    tp_handler_t reserved2;
    tp_handler_t pendsv, systick;
    tp_handler_t irq[((TP_IRQ_COUNT + 15) / 16) * 16];
} tp_vector_table_t;

/* A slot with a vendor name is written twice in the initializer below. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
__attribute__((section(".isr_vector"), used)) const tp_vector_table_t tp_vector_table = {
    /* Exceptions run on the handler stack; main() moves to the thread stack. */
    .initial_msp = __handler_stack_top,
    .reset = Reset_Handler,
    .nmi = NMI_Handler,
    .hard_fault = HardFault_Handler,
    .mem_manage = MemManage_Handler,
    .bus_fault = BusFault_Handler,
    .usage_fault = UsageFault_Handler,
    .secure_fault = SecureFault_Handler,
    .svc = SVC_Handler,
    .debug_monitor = DebugMon_Handler,
    .pendsv = PendSV_Handler,
    .systick = SysTick_Handler,
    .irq = {
        IRQ_0_15(IRQ_ENTRY)
#if TP_IRQ_COUNT > 16
        IRQ_16_31(IRQ_ENTRY)
#endif
#if TP_IRQ_COUNT > 32
        IRQ_32_47(IRQ_ENTRY)
#endif
#if TP_IRQ_COUNT > 48
        IRQ_48_63(IRQ_ENTRY)
#endif
#if TP_IRQ_COUNT > 64
        IRQ_64_79(IRQ_ENTRY)
#endif
#if TP_IRQ_COUNT > 80
        IRQ_80_95(IRQ_ENTRY)
#endif
#if TP_IRQ_COUNT > 96
        IRQ_96_111(IRQ_ENTRY)
#endif
#if TP_IRQ_COUNT > 112
        IRQ_112_127(IRQ_ENTRY)
#endif
#ifdef TP_IRQ_TABLE
        /* the named slots again, with the vendor names */
        TP_IRQ_NAMES(VENDOR_ENTRY)
#endif
    },
};
#pragma GCC diagnostic pop

extern void (*__preinit_array_start[])(void), (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);

static void run_constructors(void) {
    for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; f++) (*f)();
    for (void (**f)(void) = __init_array_start; f < __init_array_end; f++) (*f)();
}

/* Runs on the thread stack. */
__attribute__((noreturn, used)) static void main_thread(void) {
    run_constructors();
    exit(main()); /* runs atexit handlers, flushes stdio, then _exit -> tp_exit */
}

/* Points PSP at the top of the thread stack, makes thread mode use it
 * (CONTROL.SPSEL = 1) and jumps to entry.  Written in ARMv6-M Thumb so it
 * assembles for every core. */
__attribute__((naked, noreturn)) static void enter_thread_stack(uintptr_t psp, void (*entry)(void)) {
    (void)psp;
    (void)entry;
    __asm volatile("msr psp, r0\n\t"
                   "movs r0, #2\n\t"
                   "msr control, r0\n\t"
                   "isb\n\t"
                   "bx r1\n\t");
}

void Reset_Handler(void) {
    /* 1. initialised data: copy from its load image in flash */
    size_t data_size = (size_t)((uintptr_t)_edata - (uintptr_t)_sdata);
    if ((uintptr_t)_sdata != (uintptr_t)_sidata) memcpy(_sdata, _sidata, data_size);
    /* 2. uninitialised data: zero */
    memset(_sbss, 0, (size_t)((uintptr_t)_ebss - (uintptr_t)_sbss));
#if TP_HAS_FPU
    /* 3. the FPU: full access for CP10/CP11, before any float instruction */
    SCB_CPACR |= 0xFu << 20;
    tp_dsb();
    tp_isb();
#endif
    /* 4. clocks: the board's clock tree, SystemCoreClock */
    SystemInit();
    /* 5. stacks: paint for high-water marks, arm the overflow guard */
    tp_stack_init();
    /* 6. console hardware, then the time base */
    board_init();
    tp_timer_init();
    /* 7. constructors, main, exit - on the thread stack */
    enter_thread_stack((uintptr_t)__stack_top, main_thread);
}

/* Anything without a handler lands here: name it and stop. */
void Default_Handler(void) {
    uint32_t vector = tp_get_ipsr() & ICSR_VECTACTIVE_MASK;
    tp_console_flush();
    if (vector >= 16) {
        unsigned irq = (unsigned)(vector - 16);
        const char *vendor = NULL;
#ifdef TP_IRQ_TABLE
        vendor = vendor_name(irq);
#endif
        tp_printf("\n*** UNEXPECTED INTERRUPT: IRQ%u (vector %u) has no handler: define ", irq,
                  (unsigned)vector);
        if (vendor) tp_printf("%s_IRQHandler or ", vendor);
        tp_printf("IRQ%u_Handler\n", irq);
    } else
        tp_printf("\n*** UNEXPECTED EXCEPTION: vector %u has no handler\n", (unsigned)vector);
    tp_exit(TP_EXIT_UNEXPECTED_IRQ);
}
