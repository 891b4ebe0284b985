// SPDX-License-Identifier: MIT
// An application of its own built against tidepool from outside its tree
// (Makefile: the Make way, CMakeLists.txt: the CMake way).  It keeps a log
// of sensor readings as tidepool objects, drops a cycle for the collector,
// and uses malloc and printf as any firmware does: both are served by
// tidepool's heap.  On an STM32 board a reading arrives by interrupt, to a
// handler by the vendor's name.  Exits 0 when every check holds.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irq.h"
#include "tp_alloc.h"
#include "tp_gc.h"
#include "tp_libc_malloc.h"
#include "tp_objects.h"

static int failures;

// Code in the style of a vendor HAL: implicit conversions between int and
// unsigned that tidepool's own -Wconversion -Werror would refuse.  Your
// code is built with your flags (APP_CFLAGS / target_compile_options).
static unsigned short checksum(const char *s)
{
    unsigned short sum = 0;
    while (*s)
        sum = (sum << 1) ^ *s++;
    return sum;
}

static void check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok)
        failures++;
}

#ifdef TP_IRQ_TABLE
// The board names its part's interrupts (an STM32): the handler is found by
// the name CubeMX gives it.
static volatile int sensor_interrupts;

void EXTI0_IRQHandler(void)
{
    sensor_interrupts++;
}

static void reading_by_interrupt(void)
{
    tp_irq_enable(TP_IRQN_EXTI0);
    tp_irq_pend(TP_IRQN_EXTI0); // as the sensor's data-ready line would
    tp_irq_disable(TP_IRQN_EXTI0);
    check(sensor_interrupts == 1, "EXTI0_IRQHandler took the sensor's interrupt");
}
#else
static void reading_by_interrupt(void)
{
}
#endif

int main(void)
{
    // plain C allocation, as a driver would do it
    char *line = malloc(64);
    check(line != NULL, "malloc from tidepool's heap");
    snprintf(line, 64, "sensor-log on %s", "tidepool");
    check(tp_heap_usable_size(tp_malloc_heap(), line) >= 64, "the block is tidepool's");
    check(checksum(line) != 0, "code built with the application's own flags");
    reading_by_interrupt();

    // the objects live in a heap of their own, carved from malloc's: half
    // of what is free, at most 16 KiB (a board may have only 16 KiB of RAM)
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    size_t size = st.largest_free / 2u;
    if (size > 16u * 1024u)
        size = 16u * 1024u;
    void *arena = malloc(size);
    tp_heap_t *heap = arena ? tp_heap_init(arena, size) : NULL;
    check(heap != NULL && tp_gc_init(heap) == 0 && tp_objects_init() == 0, "object heap set up");
    if (failures)
        return 1;

    // a log: {"temp": [readings...], "count": n}
    tp_obj_t *log = tp_dict_new();
    tp_obj_t *temps = tp_list_new();
    for (int i = 0; i < 20; i++) {
        tp_obj_t *v = tp_int_new(200 + i * 3);
        tp_list_append(temps, v);
        tp_decref(v);
    }
    tp_dict_set_str(log, "temp", temps);
    tp_obj_t *n = tp_int_new(20);
    tp_dict_set_str(log, "count", n);
    tp_decref(n);
    check(tp_len(temps) == 20, "20 readings logged");

    // a cycle that reference counting alone cannot free
    tp_obj_t *a = tp_list_new(), *b = tp_list_new();
    tp_list_append(a, b);
    tp_list_append(b, a);
    tp_decref(a);
    tp_decref(b);
    size_t found = tp_gc_collect(2);
    check(found >= 2, "the collector frees the cycle");

    tp_decref(temps);
    tp_decref(log);
    free(line);
    printf("%s\n", failures ? "sensor-log: FAILED" : "sensor-log: all checks passed");
    return failures ? 1 : 0;
}
