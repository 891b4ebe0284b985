// SPDX-License-Identifier: MIT
/*
 * vectors.h - the exception handler names of the vector table (startup.c).
 * Each is weak: define a function with the same name to handle it.
 * Device interrupts are IRQ0_Handler .. IRQ127_Handler.
 */
#ifndef TP_VECTORS_H
#define TP_VECTORS_H

void Reset_Handler(void);
void Default_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SecureFault_Handler(void);
void SVC_Handler(void);
void DebugMon_Handler(void);
void PendSV_Handler(void);
void SysTick_Handler(void);

#endif
