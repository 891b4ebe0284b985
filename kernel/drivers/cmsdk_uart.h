// SPDX-License-Identifier: MIT
/*
 * cmsdk_uart.h - Arm CMSDK APB UART (MPS2/MPS2+ FPGA images, QEMU mps2-*).
 */
#ifndef TP_CMSDK_UART_H
#define TP_CMSDK_UART_H

#include <stdint.h>

void cmsdk_uart_init(uintptr_t base, uint32_t pclk_hz, uint32_t baud);
void cmsdk_uart_putc(uintptr_t base, char c);

#endif
