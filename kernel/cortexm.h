// SPDX-License-Identifier: MIT
/*
 * cortexm.h - the Cortex-M system registers the kernel touches, and the
 * architecture profile it is built for.
 *
 * Only the registers tidepool uses are named here; they are the ones common
 * to ARMv6-M, ARMv7-M and ARMv8-M Mainline (System Control Block, SysTick,
 * MPU, DWT).  Registers that exist only on some profiles are marked; code that
 * touches them is guarded by the TP_ARCH_* macros below, because reading a
 * v7-M-only register on a Cortex-M0 is itself a bus fault.
 */
#ifndef TP_CORTEXM_H
#define TP_CORTEXM_H

#include <stdint.h>

/* ---- architecture profile, from the compiler's predefined macros ---- */
#if defined(__ARM_ARCH_8M_MAIN__)
#define TP_ARCH_V8M_MAIN 1 /* Cortex-M33/M35P/M55: stack limit registers */
#define TP_ARCH_NAME "ARMv8-M Mainline"
#elif defined(__ARM_ARCH_7EM__)
#define TP_ARCH_V7M 1 /* Cortex-M4/M7 */
#define TP_ARCH_NAME "ARMv7E-M"
#elif defined(__ARM_ARCH_7M__)
#define TP_ARCH_V7M 1 /* Cortex-M3 */
#define TP_ARCH_NAME "ARMv7-M"
#elif defined(__ARM_ARCH_6M__) || defined(__ARM_ARCH_8M_BASE__)
#define TP_ARCH_V6M 1 /* Cortex-M0/M0+/M23: no CFSR, no DWT cycle counter */
#define TP_ARCH_NAME "ARMv6-M"
#else
#error "tidepool kernel: unsupported architecture (expects a Cortex-M profile)"
#endif

/* Configurable faults (MemManage/BusFault/UsageFault), CFSR and DWT exist on
 * every Mainline profile. */
#if defined(TP_ARCH_V7M) || defined(TP_ARCH_V8M_MAIN)
#define TP_HAS_CONFIGURABLE_FAULTS 1
#else
#define TP_HAS_CONFIGURABLE_FAULTS 0
#endif

#if defined(__ARM_FP)
#define TP_HAS_FPU 1
#else
#define TP_HAS_FPU 0
#endif

#define TP_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---- System Control Block ---- */
#define SCB_CPUID TP_REG32(0xE000ED00u)
#define SCB_ICSR TP_REG32(0xE000ED04u)
#define SCB_VTOR TP_REG32(0xE000ED08u)
#define SCB_AIRCR TP_REG32(0xE000ED0Cu)
#define SCB_CCR TP_REG32(0xE000ED14u)
#define SCB_SHCSR TP_REG32(0xE000ED24u) /* v7-M/v8-M only */
#define SCB_CFSR TP_REG32(0xE000ED28u)  /* v7-M/v8-M only */
#define SCB_HFSR TP_REG32(0xE000ED2Cu)  /* v7-M/v8-M only */
#define SCB_MMFAR TP_REG32(0xE000ED34u) /* v7-M/v8-M only */
#define SCB_BFAR TP_REG32(0xE000ED38u)  /* v7-M/v8-M only */
#define SCB_CPACR TP_REG32(0xE000ED88u) /* only with an FPU */

#define ICSR_PENDSTSET (1u << 26)
#define ICSR_VECTACTIVE_MASK 0x1FFu

#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)

#define CCR_DIV_0_TRP (1u << 4)

/* CFSR = UFSR[31:16] | BFSR[15:8] | MMFSR[7:0] */
#define CFSR_IACCVIOL (1u << 0)
#define CFSR_DACCVIOL (1u << 1)
#define CFSR_MUNSTKERR (1u << 3)
#define CFSR_MSTKERR (1u << 4)
#define CFSR_MLSPERR (1u << 5)
#define CFSR_MMARVALID (1u << 7)
#define CFSR_IBUSERR (1u << 8)
#define CFSR_PRECISERR (1u << 9)
#define CFSR_IMPRECISERR (1u << 10)
#define CFSR_UNSTKERR (1u << 11)
#define CFSR_STKERR (1u << 12)
#define CFSR_LSPERR (1u << 13)
#define CFSR_BFARVALID (1u << 15)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE (1u << 17)
#define CFSR_INVPC (1u << 18)
#define CFSR_NOCP (1u << 19)
#define CFSR_STKOF (1u << 20) /* v8-M: stack limit violation */
#define CFSR_UNALIGNED (1u << 24)
#define CFSR_DIVBYZERO (1u << 25)

#define HFSR_VECTTBL (1u << 1)
#define HFSR_FORCED (1u << 30)
#define HFSR_DEBUGEVT (1u << 31)

/* ---- SysTick ---- */
#define SYST_CSR TP_REG32(0xE000E010u)
#define SYST_RVR TP_REG32(0xE000E014u)
#define SYST_CVR TP_REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1 = processor clock */

/* ---- NVIC: 32 interrupts per register, one byte of priority each ---- */
#define NVIC_ISER(i) TP_REG32(0xE000E100u + 4u * (i))
#define NVIC_ICER(i) TP_REG32(0xE000E180u + 4u * (i))
#define NVIC_ISPR(i) TP_REG32(0xE000E200u + 4u * (i))
#define NVIC_ICPR(i) TP_REG32(0xE000E280u + 4u * (i))
#define NVIC_IPR_BASE 0xE000E400u

/* ---- MPU (PMSAv7 programming model; v8-M differs and is not used) ---- */
#define MPU_TYPE TP_REG32(0xE000ED90u)
#define MPU_CTRL TP_REG32(0xE000ED94u)
#define MPU_RNR TP_REG32(0xE000ED98u)
#define MPU_RBAR TP_REG32(0xE000ED9Cu)
#define MPU_RASR TP_REG32(0xE000EDA0u)
#define MPU_CTRL_ENABLE (1u << 0)
#define MPU_CTRL_PRIVDEFENA (1u << 2)
#define MPU_RASR_ENABLE (1u << 0)
#define MPU_RASR_XN (1u << 28)

/* ---- DWT cycle counter (v7-M/v8-M Mainline) ---- */
#define DEMCR TP_REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL TP_REG32(0xE0001000u)
#define DWT_CYCCNT TP_REG32(0xE0001004u)
#define DWT_CTRL_NOCYCCNT (1u << 25)
#define DWT_CTRL_CYCCNTENA (1u << 0)

/* ---- special registers and barriers ---- */
static inline void tp_dsb(void) { __asm volatile("dsb" ::: "memory"); }
static inline void tp_isb(void) { __asm volatile("isb" ::: "memory"); }

static inline uint32_t tp_get_msp(void) {
    uint32_t v;
    __asm volatile("mrs %0, msp" : "=r"(v));
    return v;
}
static inline uint32_t tp_get_psp(void) {
    uint32_t v;
    __asm volatile("mrs %0, psp" : "=r"(v));
    return v;
}
static inline uint32_t tp_get_sp(void) {
    uint32_t v;
    __asm volatile("mov %0, sp" : "=r"(v));
    return v;
}
static inline uint32_t tp_get_control(void) {
    uint32_t v;
    __asm volatile("mrs %0, control" : "=r"(v));
    return v;
}
static inline uint32_t tp_get_ipsr(void) {
    uint32_t v;
    __asm volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}
static inline uint32_t tp_get_primask(void) {
    uint32_t v;
    __asm volatile("mrs %0, primask" : "=r"(v));
    return v;
}

#endif /* TP_CORTEXM_H */
