// SPDX-License-Identifier: MIT
/*
 * fault.h - what the fault handler found, for firmware that wants to act on
 * it (log it to flash, reset) before the program ends.
 */
#ifndef TP_FAULT_H
#define TP_FAULT_H

#include <stdint.h>

typedef struct {
    uint32_t vector; /* 3 HardFault, 4 MemManage, 5 BusFault, 6 UsageFault */
    uint32_t cfsr, hfsr, mmfar, bfar; /* 0 on ARMv6-M, which has none of them */
    uint32_t sp;                      /* where the exception frame was stacked */
    uint32_t exc_return;
    int frame_valid;                  /* pc/lr/xpsr below are meaningful */
    uint32_t pc, lr, xpsr;
    int stack_overflow;               /* the cause was the stack guard */
} tp_fault_info_t;

/* Called after the report is printed and before the program exits.  The
 * default does nothing; define it to override (it runs in the fault handler,
 * on the handler stack: keep it small). */
void tp_fault_hook(const tp_fault_info_t *info);

#endif
