// SPDX-License-Identifier: MIT
/*
 * memmap.c - heap regions and a printable memory map from the linker symbols.
 */
#include "memmap.h"

#include "console.h"
#include "stack.h"

size_t tp_heap_regions(tp_region_t out[TP_MAX_HEAP_REGIONS]) {
    size_t n = 0;
    out[n++] = (tp_region_t){(uintptr_t)__heap_start, (uintptr_t)__heap_end, "heap"};
    if ((uintptr_t)__heap2_end > (uintptr_t)__heap2_start)
        out[n++] = (tp_region_t){(uintptr_t)__heap2_start, (uintptr_t)__heap2_end, "heap2"};
    if ((uintptr_t)__heap3_end > (uintptr_t)__heap3_start)
        out[n++] = (tp_region_t){(uintptr_t)__heap3_start, (uintptr_t)__heap3_end, "heap3"};
    return n;
}

static void row(const char *name, const void *start, const void *stop) {
    unsigned long size = (unsigned long)((uintptr_t)stop - (uintptr_t)start);
    tp_printf("  %-15s %p..%p %9lu B", name, start, stop, size);
    if (size >= 1024ul) tp_printf("  %5lu.%lu KiB", size / 1024ul, (size % 1024ul) * 10ul / 1024ul);
    tp_printf("\n");
}

void tp_memmap_print(void) {
    tp_printf("memory map:\n");
    row("flash", __flash_start, __flash_end);
    row("  .text", __text_start, __text_end);
    row("  .rodata", __rodata_start, __rodata_end);
    row("  used", __flash_start, __flash_used_end);
    row("ram", __ram_start, __ram_end);
    row("  .data", _sdata, _edata);
    row("  .bss", _sbss, _ebss);
    row("  heap", __heap_start, __heap_end);
    row("  handler stack", __handler_stack_bottom, __handler_stack_top);
    row("  stack guard", __stack_guard_start, __stack_limit);
    row("  thread stack", __stack_limit, __stack_top);
    if ((uintptr_t)__heap2_end > (uintptr_t)__heap2_start) row("heap2", __heap2_start, __heap2_end);
    if ((uintptr_t)__heap3_end > (uintptr_t)__heap3_start) row("heap3", __heap3_start, __heap3_end);
    tp_printf("  stack guard: %s\n", tp_stack_guard_name());
}
