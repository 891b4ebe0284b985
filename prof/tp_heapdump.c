// SPDX-License-Identifier: MIT
/*
 * tp_heapdump.c - the heap dump and the text heap map (prof/tp_heapdump.h).
 * Portable but for the console and semihosting sinks at the end.
 */
#include "tp_heapdump.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "fmt.h"
#include "tp_port.h"

#define LINE_MAX 160u

/* ---- framing: byte count and CRC-32 (IEEE, reflected) of the body ---- */

typedef struct {
    tp_dump_write_t write;
    void *ctx;
    uint32_t crc; /* running, not yet inverted */
    uint32_t bytes;
    long extents;
} dump_t;

static uint32_t crc32_update(uint32_t crc, const char *p, size_t n) {
    /* bitwise: no 1 KiB table in flash for a diagnostic */
    while (n--) {
        crc ^= (uint8_t)*p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc;
}

/* Formats a line and writes it; a body line (counted) goes into the frame's
 * length and CRC, the frame lines do not. */
static void vemit(dump_t *d, int counted, const char *fmt, va_list ap) {
    char line[LINE_MAX];
    size_t n = tp_vsnprintf(line, sizeof line, fmt, ap);
    if (n >= sizeof line) n = sizeof line - 1u; /* (no line comes near it) */
    if (counted) {
        d->crc = crc32_update(d->crc, line, n);
        d->bytes += (uint32_t)n;
    }
    d->write(line, n, d->ctx);
}

static void emit_raw(dump_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit_raw(dump_t *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vemit(d, 0, fmt, ap);
    va_end(ap);
}

static void emit(dump_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(dump_t *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vemit(d, 1, fmt, ap);
    va_end(ap);
}

static int dump_extent(const tp_extent_t *e, void *ctx) {
    dump_t *d = ctx;
    unsigned long a = (unsigned long)e->addr, n = (unsigned long)e->size;
    switch (e->kind) {
    case TP_EXTENT_POOL:
        emit(d, "P %lx %lx %d %u %u\n", a, n, e->size_class, e->blocks_used, e->blocks_total);
        break;
    case TP_EXTENT_USED: emit(d, "U %lx %lx\n", a, n); break;
    case TP_EXTENT_FREE: emit(d, "F %lx %lx\n", a, n); break;
    default: emit(d, "M %lx %lx\n", a, n); break;
    }
    d->extents++;
    return 0;
}

long tp_heapdump(const tp_heap_t *h, const char *label, tp_dump_write_t write, void *ctx) {
    if (h == NULL || write == NULL) return -1;
    dump_t d = {write, ctx, 0xFFFFFFFFu, 0, 0};
    emit_raw(&d, "-----BEGIN TPDUMP----- %s\n", label != NULL ? label : "heap");
    emit(&d, "V 1 %u %u %u %u\n", TP_ALLOC_POOL_SIZE, TP_ALLOC_GRAIN, tp_heap_class_count(),
         TP_ALLOC_SMALL_MAX);
    tp_heap_stats_t st;
    tp_heap_stats(h, &st);
    emit(&d,
         "S heap_size=%lu metadata_bytes=%lu used_bytes=%lu used_blocks=%lu footprint=%lu "
         "footprint_peak=%lu free_bytes=%lu largest_free=%lu\n",
         (unsigned long)st.heap_size, (unsigned long)st.metadata_bytes,
         (unsigned long)st.used_bytes, (unsigned long)st.used_blocks, (unsigned long)st.footprint,
         (unsigned long)st.footprint_peak, (unsigned long)st.free_bytes,
         (unsigned long)st.largest_free);
    emit(&d, "S alloc_count=%lu free_count=%lu fail_count=%lu error_count=%lu pools=%u free_pools=%u\n",
         (unsigned long)st.alloc_count, (unsigned long)st.free_count,
         (unsigned long)st.fail_count, (unsigned long)st.error_count, st.pools, st.free_pools);
    for (unsigned c = 0; c < tp_heap_class_count(); c++) {
        tp_class_stats_t cs;
        (void)tp_heap_class_stats(h, c, &cs);
        emit(&d, "C %u %u %u %u %lu %lu %lu\n", c, cs.block_size, cs.blocks_per_pool, cs.pools,
             (unsigned long)cs.blocks_used, (unsigned long)cs.blocks_free,
             (unsigned long)cs.pool_overhead);
    }
    if (tp_heap_walk(h, dump_extent, &d) != 0) return -1;
    emit_raw(&d, "-----END TPDUMP----- %lu %08lx\n", (unsigned long)d.bytes,
             (unsigned long)(d.crc ^ 0xFFFFFFFFu));
    return d.extents;
}

/* ---- the text map ---- */

typedef struct {
    tp_print_fn print;
    unsigned columns;
    uintptr_t unit;     /* address of the unit being filled */
    uint32_t bytes[4];  /* its bytes by symbol (up to 4 different) */
    char sym[4];
    unsigned nsym;
    unsigned col;       /* characters on the current line */
    int started;
    char line[132];
} map_t;

static void map_flush_unit(map_t *m) {
    if (m->nsym == 0) return;
    unsigned best = 0;
    for (unsigned i = 1; i < m->nsym; i++)
        if (m->bytes[i] > m->bytes[best]) best = i;
    if (m->col == 0) {
        m->print("%08lx ", (unsigned long)m->unit);
    }
    m->line[m->col++] = m->sym[best];
    if (m->col == m->columns) {
        m->line[m->col] = 0;
        m->print("%s\n", m->line);
        m->col = 0;
    }
    m->nsym = 0;
}

static void map_end_line(map_t *m) {
    if (m->col == 0) return;
    m->line[m->col] = 0;
    m->print("%s\n", m->line);
    m->col = 0;
}

static char extent_symbol(const tp_extent_t *e) {
    switch (e->kind) {
    case TP_EXTENT_POOL:
        if (e->size_class < 0) return '-';
        return (char)((2u * e->blocks_used >= e->blocks_total ? 'A' : 'a') + e->size_class % 26);
    case TP_EXTENT_USED: return '#';
    case TP_EXTENT_FREE: return '.';
    default: return 'm';
    }
}

static int map_extent(const tp_extent_t *e, void *ctx) {
    map_t *m = ctx;
    char s = extent_symbol(e);
    uintptr_t a = e->addr, end = e->addr + e->size;
    while (a < end) {
        uintptr_t unit = a & ~(uintptr_t)(TP_ALLOC_POOL_SIZE - 1u);
        if (!m->started || unit != m->unit) {
            map_flush_unit(m);
            /* a gap between regions starts a new line */
            if (m->started && unit != m->unit + TP_ALLOC_POOL_SIZE) map_end_line(m);
            m->unit = unit;
            m->started = 1;
        }
        uintptr_t stop = unit + TP_ALLOC_POOL_SIZE < end ? unit + TP_ALLOC_POOL_SIZE : end;
        unsigned i = 0;
        while (i < m->nsym && m->sym[i] != s) i++;
        if (i == m->nsym && m->nsym < 4u) {
            m->sym[m->nsym] = s;
            m->bytes[m->nsym++] = 0;
        }
        if (i < m->nsym) m->bytes[i] += (uint32_t)(stop - a);
        a = stop;
    }
    return 0;
}

void tp_heapmap_print(const tp_heap_t *h, unsigned columns,
                      tp_print_fn print) {
    map_t m;
    memset(&m, 0, sizeof m);
    m.print = print;
    m.columns = columns == 0 || columns > sizeof m.line - 1u ? 64u : columns;
    if (tp_heap_walk(h, map_extent, &m) != 0) {
        print("(heap damaged: no map)\n");
        return;
    }
    map_flush_unit(&m);
    map_end_line(&m);
    print("one character = %u bytes: A-Z pool of class 0-25 (A = %u-byte blocks; lower case: "
          "under half full), '-' empty pool, '#' large block, '.' free, 'm' metadata\n",
          TP_ALLOC_POOL_SIZE, TP_ALLOC_GRAIN);
}

/* ---- sinks of the target ---- */
#if TP_PORT_TARGET
#include "console.h"
#include "semihost.h"

static void to_console(const char *text, size_t len, void *ctx) {
    (void)ctx;
    tp_printf("%.*s", (int)len, text);
}

long tp_heapdump_console(const tp_heap_t *h, const char *label) {
    return tp_heapdump(h, label, to_console, NULL);
}

#if TP_SEMIHOSTING
static void to_file(const char *text, size_t len, void *ctx) {
    int *fd = ctx;
    if (*fd >= 0 && tp_hostfile_write(*fd, text, len) != (int)len) *fd = -2; /* failed */
}
#endif

long tp_heapdump_file(const tp_heap_t *h, const char *label, const char *path) {
#if TP_SEMIHOSTING
    int fd = tp_hostfile_open(path, SH_MODE_W);
    if (fd < 0) return -1;
    int state = fd;
    long n = tp_heapdump(h, label, to_file, &state);
    (void)tp_hostfile_close(fd);
    return state == -2 ? -1 : n;
#else
    (void)h;
    (void)label;
    (void)path;
    return -1;
#endif
}
#endif
