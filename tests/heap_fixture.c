/*
 * heap_fixture.c - see heap_fixture.h.
 */
#include "tests/heap_fixture.h"

#include <stdarg.h>
#include <string.h>

#include "fmt.h"
#include "tp_alloc.h"
#include "tp_gc.h"

size_t fx_base_used;
unsigned fx_gc_errors;
char fx_printed[512];

void fx_printed_clear(void) { fx_printed[0] = '\0'; }

void fx_print(const char *fmt, ...) {
    size_t used = strlen(fx_printed);
    va_list ap;
    va_start(ap, fmt);
    (void)tp_vsnprintf(fx_printed + used, sizeof fx_printed - used, fmt, ap);
    va_end(ap);
}

static void on_gc_error(const char *what, const tp_obj_t *o, void *ctx) {
    (void)what, (void)o, (void)ctx;
    fx_gc_errors++;
}

size_t fx_heap_used(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_gc_heap(), &st);
    return st.used_bytes;
}

int fx_fresh(void *arena, size_t size, int (*register_types)(void)) {
    tp_heap_t *h = tp_heap_init(arena, size);
    if (h == NULL || tp_gc_init(h) != 0 || register_types() != 0) return -1;
    tp_gc_set_error_hook(on_gc_error, NULL);
    fx_gc_errors = 0;
    fx_base_used = fx_heap_used();
    return 0;
}
