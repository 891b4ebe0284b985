/*
 * demo/main.c - what `make run` shows: the runtime booting on the board and
 * describing the machine it found.
 */
#include <stdint.h>

#include "board.h"
#include "console.h"
#include "cortexm.h"
#include "memmap.h"
#include "stack.h"
#include "timer.h"

int main(void) {
    uint64_t t0 = tp_timer_cycles();
    tp_printf("tidepool: booted on %s\n", tp_board_name);
    tp_printf("  core: %s, CPUID 0x%08x, FPU %s, console %s, timer %s at %lu Hz\n", TP_ARCH_NAME,
              (unsigned)SCB_CPUID, TP_HAS_FPU ? "on" : "none", tp_console_backend(),
              tp_timer_source(), (unsigned long)tp_timer_hz());
    tp_memmap_print();

    tp_region_t regions[TP_MAX_HEAP_REGIONS];
    size_t n = tp_heap_regions(regions);
    unsigned long heap_total = 0;
    for (size_t i = 0; i < n; i++) heap_total += (unsigned long)(regions[i].end - regions[i].start);
    tp_printf("heap: %u region(s), %lu bytes for the allocator\n", (unsigned)n, heap_total);

    uint64_t t1 = tp_timer_cycles();
    tp_printf("stack high-water: thread %u of %u bytes, handlers %u of %u bytes\n",
              (unsigned)tp_stack_high_water(), (unsigned)tp_stack_size(),
              (unsigned)tp_handler_stack_high_water(), (unsigned)tp_handler_stack_size());
    tp_printf("this report took %lu timer cycles\n", (unsigned long)(t1 - t0));
    return 0;
}
