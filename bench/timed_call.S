/* SPDX-License-Identifier: MIT */
/*
 * timed_call.S - the one path through which every benchmarked call is made.
 *
 *   uint32_t bench_timed_call3(void (*fn)(void), uintptr_t a0, uintptr_t a1,
 *                              uintptr_t a2, uintptr_t *ret);
 *
 * Calls fn(a0, a1, a2) with interrupts masked, stores its return value (r0)
 * in *ret and returns TIM2_CNT after the call minus TIM2_CNT before it.  On
 * netduinoplus2 under QEMU -icount shift=0 TIM2 counts one per guest
 * instruction, so the result is the instructions executed between the two
 * reads: the call, the callee, its return, plus a constant that
 * bench_empty (a function that only returns) measures.  bench_timed_call
 * (bench.h) is this routine with a2 = 0, for calls of two arguments.
 *
 * Written in assembly so that the code between the two reads is the same
 * for every callee, whatever the compiler would have done with the call
 * site.  PRIMASK is set before the first read and restored after the second,
 * so no interrupt (the kernel's SysTick) is ever counted; a pending one is
 * taken after the restore.
 */
    .syntax unified
    .thumb

    .section .text.bench_timed_call3, "ax", %progbits
    .global bench_timed_call3
    .type bench_timed_call3, %function
    .thumb_func
    .align 2
bench_timed_call3:
    push    {r4, r5, r6, r7, r8, lr}   @ 24 bytes: the stack stays 8-aligned
    ldr     r7, [sp, #24]               @ ret, the fifth argument
    mov     r4, r0                      @ fn
    ldr     r5, =0x40000024             @ TIM2_CNT
    mrs     r6, primask
    cpsid   i
    mov     r0, r1                      @ a0
    mov     r1, r2                      @ a1
    mov     r2, r3                      @ a2
    ldr     r8, [r5]                    @ t0
    blx     r4
    ldr     r3, [r5]                    @ t1
    msr     primask, r6
    str     r0, [r7]
    sub     r0, r3, r8
    pop     {r4, r5, r6, r7, r8, pc}
    .pool
    .size bench_timed_call3, . - bench_timed_call3

/* void bench_empty(void): the reference callee - one instruction. */
    .section .text.bench_empty, "ax", %progbits
    .global bench_empty
    .type bench_empty, %function
    .thumb_func
    .align 2
bench_empty:
    bx      lr
    .size bench_empty, . - bench_empty

/* void bench_nop100(void): 100 NOPs then return - measures 100 more than
 * bench_empty when TIM2 counts exactly one per instruction. */
    .section .text.bench_nop100, "ax", %progbits
    .global bench_nop100
    .type bench_nop100, %function
    .thumb_func
    .align 2
bench_nop100:
    .rept 100
    nop
    .endr
    bx      lr
    .size bench_nop100, . - bench_nop100
