// SPDX-License-Identifier: MIT
/*
 * fault.c - readable reports for CPU faults.
 *
 * HardFault, MemManage, BusFault and UsageFault all enter fault_entry, which
 * finds the stacked exception frame (on PSP or MSP, from EXC_RETURN bit 2) and
 * hands it to tp_fault_report.  The report names the fault, decodes CFSR and
 * HFSR bit by bit, gives the fault addresses and the stacked PC/LR/xPSR, and
 * says "STACK OVERFLOW" when the cause is the stack guard.  The program then
 * ends with TP_EXIT_FAULT (or TP_EXIT_STACK_OVERFLOW).
 */
#include <stdint.h>

#include "console.h"
#include "cortexm.h"
#include "fault.h"
#include "memmap.h"
#include "runtime.h"
#include "stack.h"
#include "vectors.h"

void tp_fault_report(const uint32_t *frame, uint32_t exc_return);

__attribute__((weak)) void tp_fault_hook(const tp_fault_info_t *info) { (void)info; }

/* ARMv6-M Thumb only: the same code serves a Cortex-M0. */
__attribute__((naked)) static void fault_entry(void) {
    __asm volatile("mov r1, lr\n\t"
                   "movs r2, #4\n\t"
                   "tst r1, r2\n\t"
                   "beq 1f\n\t"
                   "mrs r0, psp\n\t"
                   "b 2f\n"
                   "1:\n\t"
                   "mrs r0, msp\n"
                   "2:\n\t"
                   "bl tp_fault_report\n\t"
                   "b .\n\t");
}

void HardFault_Handler(void) __attribute__((weak, alias("fault_entry")));
void MemManage_Handler(void) __attribute__((weak, alias("fault_entry")));
void BusFault_Handler(void) __attribute__((weak, alias("fault_entry")));
void UsageFault_Handler(void) __attribute__((weak, alias("fault_entry")));

static const char *fault_name(uint32_t vector) {
    switch (vector) {
    case 3: return "HardFault";
    case 4: return "MemManage fault";
    case 5: return "BusFault";
    case 6: return "UsageFault";
    default: return "fault";
    }
}

#if TP_HAS_CONFIGURABLE_FAULTS
typedef struct {
    uint32_t bit;
    const char *text;
} bitname_t;

static const bitname_t cfsr_bits[] = {
    {CFSR_IACCVIOL, "IACCVIOL: instruction fetch from a no-execute/no-access region"},
    {CFSR_DACCVIOL, "DACCVIOL: data access violates the MPU"},
    {CFSR_MUNSTKERR, "MUNSTKERR: MPU fault on exception return unstacking"},
    {CFSR_MSTKERR, "MSTKERR: MPU fault while stacking for an exception"},
    {CFSR_MLSPERR, "MLSPERR: MPU fault in lazy FP state save"},
    {CFSR_MMARVALID, "MMARVALID: MMFAR holds the faulting address"},
    {CFSR_IBUSERR, "IBUSERR: bus error on instruction fetch"},
    {CFSR_PRECISERR, "PRECISERR: precise data bus error"},
    {CFSR_IMPRECISERR, "IMPRECISERR: imprecise data bus error"},
    {CFSR_UNSTKERR, "UNSTKERR: bus fault on exception return unstacking"},
    {CFSR_STKERR, "STKERR: bus fault while stacking for an exception"},
    {CFSR_LSPERR, "LSPERR: bus fault in lazy FP state save"},
    {CFSR_BFARVALID, "BFARVALID: BFAR holds the faulting address"},
    {CFSR_UNDEFINSTR, "UNDEFINSTR: undefined instruction"},
    {CFSR_INVSTATE, "INVSTATE: invalid EPSR state (Thumb bit clear / ARM code?)"},
    {CFSR_INVPC, "INVPC: invalid EXC_RETURN on exception return"},
    {CFSR_NOCP, "NOCP: coprocessor (FPU) disabled or absent"},
    {CFSR_STKOF, "STKOF: stack limit (PSPLIM/MSPLIM) violated"},
    {CFSR_UNALIGNED, "UNALIGNED: unaligned access trapped"},
    {CFSR_DIVBYZERO, "DIVBYZERO: integer division by zero"},
};
#endif

/* Is this fault the stack guard being hit?  Returns a description or NULL. */
static const char *stack_overflow_cause(const uint32_t *frame, uint32_t exc_return,
                                        uint32_t cfsr, uintptr_t *where) {
    int on_psp = (exc_return & 4u) != 0;
    *where = (uintptr_t)frame;
#if TP_HAS_CONFIGURABLE_FAULTS
    if (cfsr & CFSR_STKOF) return "PSPLIM/MSPLIM stack limit (UsageFault STKOF)";
    if ((cfsr & CFSR_MMARVALID) && (cfsr & CFSR_DACCVIOL) && tp_stack_in_guard(SCB_MMFAR)) {
        *where = SCB_MMFAR;
        return "MPU guard region below the thread stack";
    }
    /* Stacking the exception frame itself hit the guard: MMFAR is not valid,
     * but the frame would have started inside it. */
    if ((cfsr & (CFSR_MSTKERR | CFSR_STKERR)) && on_psp &&
        tp_stack_in_guard((uintptr_t)frame - 32u))
        return "MPU guard region below the thread stack (while stacking)";
#else
    (void)cfsr;
#endif
    if (on_psp && (uintptr_t)frame < (uintptr_t)__stack_limit) return "thread stack pointer below its limit";
    return 0;
}

void tp_fault_report(const uint32_t *frame, uint32_t exc_return) {
    uint32_t vector = tp_get_ipsr() & ICSR_VECTACTIVE_MASK;
    uint32_t cfsr = 0, hfsr = 0;
#if TP_HAS_CONFIGURABLE_FAULTS
    cfsr = SCB_CFSR;
    hfsr = SCB_HFSR;
#endif
    tp_console_flush();
    tp_printf("\n*** FAULT: %s", fault_name(vector));
    if (vector == 3 && (hfsr & HFSR_FORCED)) tp_printf(" (forced: escalated configurable fault)");
    if (vector == 3 && (hfsr & HFSR_VECTTBL)) tp_printf(" (vector table read error)");
    tp_printf("\n");

    uintptr_t where = 0;
    const char *overflow = stack_overflow_cause(frame, exc_return, cfsr, &where);
    if (overflow) tp_printf("*** STACK OVERFLOW: %s, at %p\n", overflow, (void *)where);

#if TP_HAS_CONFIGURABLE_FAULTS
    tp_printf("    CFSR=0x%08x HFSR=0x%08x MMFAR=0x%08x BFAR=0x%08x\n", (unsigned)cfsr,
              (unsigned)hfsr, (unsigned)SCB_MMFAR, (unsigned)SCB_BFAR);
    for (unsigned i = 0; i < sizeof cfsr_bits / sizeof cfsr_bits[0]; i++)
        if (cfsr & cfsr_bits[i].bit) tp_printf("      %s\n", cfsr_bits[i].text);
    if (cfsr & CFSR_MMARVALID) tp_printf("      faulting data address (MMFAR): 0x%08x\n", (unsigned)SCB_MMFAR);
    if (cfsr & CFSR_BFARVALID) tp_printf("      faulting data address (BFAR): 0x%08x\n", (unsigned)SCB_BFAR);
#else
    tp_printf("    (ARMv6-M: no fault status registers; HardFault covers every fault)\n");
#endif

    /* A frame that could not be stacked, or that lies outside the stack it
     * was pushed to (a frame bigger than the guard stepped over it, and the
     * handler's own stack may have overwritten it since), is not worth
     * reading. */
    uintptr_t f = (uintptr_t)frame;
    int in_own_stack = (exc_return & 4u)
                           ? f >= (uintptr_t)__stack_limit && f + 32u <= (uintptr_t)__stack_top
                           : f >= (uintptr_t)__handler_stack_bottom &&
                                 f + 32u <= (uintptr_t)__handler_stack_top;
    int frame_valid = in_own_stack && !(cfsr & (CFSR_MSTKERR | CFSR_STKERR | CFSR_STKOF));
    if (frame_valid) {
        tp_printf("    PC=0x%08x LR=0x%08x xPSR=0x%08x\n", (unsigned)frame[6], (unsigned)frame[5],
                  (unsigned)frame[7]);
        tp_printf("    R0=0x%08x R1=0x%08x R2=0x%08x R3=0x%08x R12=0x%08x\n", (unsigned)frame[0],
                  (unsigned)frame[1], (unsigned)frame[2], (unsigned)frame[3], (unsigned)frame[4]);
    } else {
        tp_printf("    PC=? LR=? (no valid exception frame: it could not be stacked in its stack)\n");
    }
    tp_printf("    SP=%p on %s, EXC_RETURN=0x%08x\n", (const void *)frame,
              (exc_return & 4u) ? "PSP (thread stack)" : "MSP (handler stack)", (unsigned)exc_return);
    tp_console_flush();

    tp_fault_info_t info = {
        .vector = vector,
        .cfsr = cfsr,
        .hfsr = hfsr,
        .sp = (uint32_t)(uintptr_t)frame,
        .exc_return = exc_return,
        .frame_valid = frame_valid,
        .stack_overflow = overflow != 0,
    };
#if TP_HAS_CONFIGURABLE_FAULTS
    info.mmfar = SCB_MMFAR;
    info.bfar = SCB_BFAR;
#endif
    if (frame_valid) {
        info.pc = frame[6];
        info.lr = frame[5];
        info.xpsr = frame[7];
    }
    tp_fault_hook(&info);
    tp_console_flush();
    tp_exit(overflow ? TP_EXIT_STACK_OVERFLOW : TP_EXIT_FAULT);
}
