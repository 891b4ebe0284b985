// SPDX-License-Identifier: MIT
/*
 * test_fault.c - an undefined instruction produces a readable fault report
 * naming the fault and the exact faulting PC, then exit status 3.
 *
 *@expect-exit 3
 *@expect-output ^\*\*\* FAULT: (UsageFault|HardFault)
 *@expect-output PC=0x[0-9a-f]{8} LR=0x
 *@expect-output ^fault-test: hook saw the faulting pc$
 *@host-check $ROOT/tools/symbolize.sh $ELF $LOG | grep -Eq "^  PC=0x[0-9a-f]{8}: execute_undefined at .*test_fault.c:[0-9]+"
 */
#include <stdint.h>

#include "console.h"
#include "cortexm.h"
#include "fault.h"

/* The first instruction is permanently undefined (UDF). */
__attribute__((naked, noinline)) static void execute_undefined(void) {
    __asm volatile("udf #66\n\t"
                   "bx lr\n\t");
}

void tp_fault_hook(const tp_fault_info_t *info) {
    uintptr_t expected = (uintptr_t)execute_undefined & ~(uintptr_t)1u;
    if (info->frame_valid && info->pc == expected && !info->stack_overflow &&
#if TP_HAS_CONFIGURABLE_FAULTS
        info->vector == 6 && (info->cfsr & CFSR_UNDEFINSTR))
#else
        info->vector == 3)
#endif
        tp_printf("fault-test: hook saw the faulting pc\n");
    else
        tp_printf("fault-test: hook got pc=0x%08lx vector=%lu, expected pc=0x%08lx\n",
                  (unsigned long)info->pc, (unsigned long)info->vector, (unsigned long)expected);
}

int main(void) {
    tp_printf("fault-test: executing an undefined instruction at %p\n", (void *)execute_undefined);
    execute_undefined();
    tp_printf("fault-test: still running: the fault was not raised\n");
    return 0;
}
