// SPDX-License-Identifier: MIT
/*
 * memmap.h - the memory map the linker laid out (linker/sections.ld), as C.
 *
 *   FLASH: vectors | .text | .rodata | .ARM.exidx | init arrays | .data image
 *   RAM (low to high):
 *     .data | .bss | .noinit | heap (grows up) ... | handler stack (MSP) | guard | thread stack (PSP)
 *                                        ^__handler_stack_bottom       ^__stack_limit  ^_estack
 *   optional extra RAM regions (CCM, PSRAM): heap regions 2 and 3.
 *
 * main() and everything it calls run on the thread stack (PSP); exception
 * handlers run on the handler stack (MSP).  The guard below the thread stack
 * is a no-access MPU region (ARMv7-M), the PSPLIM limit (ARMv8-M), or a
 * canary pattern checked in software (ARMv6-M, or a part without an MPU).
 */
#ifndef TP_MEMMAP_H
#define TP_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

/* Symbols from the linker script; only their addresses are meaningful. */
extern char _sidata[], _sdata[], _edata[], _sbss[], _ebss[], end[];
extern char __flash_start[], __flash_end[], __flash_used_end[];
extern char __ram_start[], __ram_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __heap_start[], __heap_end[];
extern char __handler_stack_bottom[], __handler_stack_top[];
extern char __stack_guard_start[], __stack_limit[], __stack_top[], _estack[];
extern char __heap2_start[], __heap2_end[], __heap3_start[], __heap3_end[];

typedef struct {
    uintptr_t start; /* inclusive */
    uintptr_t end;   /* exclusive */
    const char *name;
} tp_region_t;

#define TP_MAX_HEAP_REGIONS 3

/* Fills out[] with the non-empty heap regions (main heap first); returns how
 * many. */
size_t tp_heap_regions(tp_region_t out[TP_MAX_HEAP_REGIONS]);

/* Prints the memory map with the size of every section and region. */
void tp_memmap_print(void);

#endif /* TP_MEMMAP_H */
