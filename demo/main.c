// SPDX-License-Identifier: MIT
/*
 * demo/main.c - what `make run` shows: the runtime booting on the board,
 * then the story of how CPython manages memory, told with tidepool's
 * objects on the microcontroller: reference counts as they change, the
 * identity caches, a cycle that refcounting cannot free and the incremental
 * collector that does (each step and the longest pause), weak references,
 * copy vs deepcopy, the pools, and the memory map with the stack high-water.
 *
 * Times are in cycles of the board's timer; `make run` runs QEMU with
 * -icount shift=0 (time follows the guest's instructions), so every run on
 * an emulated board prints the same figures.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "cortexm.h"
#include "fmt.h"
#include "memmap.h"
#include "semihost.h"
#include "stack.h"
#include "timer.h"
#include "tp_alloc.h"
#include "tp_gc.h"
#include "tp_gc_inspect.h"
#include "tp_heapdump.h"
#include "tp_libc_malloc.h"
#include "tp_objects.h"

static char text[120];

static const char *repr(tp_obj_t *o) {
    tp_repr(o, text, sizeof text);
    return text;
}

/* "a = [1, 2]   getrefcount(a) -> 2" */
static void show(const char *what, const char *name, tp_obj_t *o) {
    tp_printf("  %-20s %-22s getrefcount(%s) -> %u\n", what, repr(o), name, tp_sys_getrefcount(o));
}

static size_t heap_used(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_gc_heap(), &st);
    return st.used_bytes;
}

static tp_obj_t *pair(int32_t x, int32_t y) {
    tp_obj_t *l = tp_list_new(), *a = tp_int_new(x), *b = tp_int_new(y);
    tp_list_append(l, a);
    tp_list_append(l, b);
    tp_decref(a);
    tp_decref(b);
    return l;
}

static void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void print(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    (void)tp_vprintf(fmt, ap);
    va_end(ap);
}

static void section(const char *title) { tp_printf("\n== %s\n", title); }

static void refcounts(void) {
    section("1. reference counting: a count per object, freed at 0");
    tp_obj_t *a = pair(1, 2);
    show("a = [1, 2]", "a", a);
    tp_obj_t *b = a;
    tp_incref(b);
    show("b = a", "a", a);
    tp_decref(b);
    show("del b", "a", a);
    tp_obj_t *c = tp_list_new();
    tp_list_append(c, a);
    show("c = []; c.append(a)", "a", a);
    tp_decref(c);
    show("del c", "a", a);
    tp_obj_t *x = tp_int_new(300);
    unsigned before = tp_sys_getrefcount(x);
    tp_obj_t *y = x;
    tp_incref(y);
    tp_obj_t *z = tp_list_new();
    tp_list_append(z, x);
    tp_list_append(z, y);
    tp_printf("  x = 300; y = x; z = [x, y]: getrefcount(x) %u -> %u (grew by 3)\n", before,
              tp_sys_getrefcount(x));
    size_t used = heap_used();
    tp_decref(z);
    tp_decref(y);
    tp_decref(x);
    tp_decref(a);
    tp_printf("  del a, x, y, z: %u bytes back to the pools at once, no collector\n",
              (unsigned)(used - heap_used()));
}

static void identity(void) {
    section("2. identity: small ints, one-character strings and identifiers are shared");
    tp_obj_t *a = tp_int_new(123), *b = tp_int_new(123);
    tp_obj_t *c = tp_int_new(1000), *d = tp_int_new(1000);
    tp_obj_t *n1 = tp_str_new("n"), *n2 = tp_str_new("n");
    tp_obj_t *p1 = tp_str_new("python"), *p2 = tp_str_new("python");
    tp_printf("  a = 123; b = 123; a is b            -> %s  (cached, in flash at %p)\n",
              a == b ? "True" : "False", (void *)a);
    tp_printf("  a = 1000; b = 1000; a is b          -> %s (two heap objects)\n",
              c == d ? "True" : "False");
    tp_printf("  'n' is 'n'                          -> %s  (cached, in flash)\n",
              n1 == n2 ? "True" : "False");
    tp_printf("  \"python\" is \"python\"                -> %s  (interned, in the heap at %p)\n",
              p1 == p2 ? "True" : "False", (void *)p1);
    tp_obj_t *objs[] = {a, b, c, d, n1, n2, p1, p2};
    for (unsigned i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
}

static void cycle(void) {
    section("3. a cycle: refcounting cannot free it, the collector can");
    tp_obj_t *a = pair(1, 2), *b = pair(3, 4);
    tp_list_append(a, b);
    show("a.append(b)", "b", b);
    tp_list_append(b, a);
    show("b.append(a)", "a", a);
    tp_printf("  a = %s\n", repr(a));
    size_t before = heap_used();
    tp_decref(a);
    tp_decref(b);
    tp_printf("  del a; del b: counts %u and %u, nothing freed: without a collector, a leak\n",
              tp_getrefcount(a), tp_getrefcount(b));
    tp_printf("  gc.collect(), incrementally, one bounded step at a time:\n");
    tp_gc_start(2);
    uint64_t longest = 0;
    unsigned steps = 0;
    while (tp_gc_in_progress()) {
        const char *phase = tp_gc_phase_name();
        uint64_t t0 = tp_timer_cycles();
        tp_gc_step(0);
        uint64_t t = tp_timer_cycles() - t0;
        if (t > longest) longest = t;
        steps++;
        tp_printf("    step %u  %-9s %5lu cycles\n", steps, phase, (unsigned long)t);
    }
    tp_gc_gen_stats_t st;
    tp_gc_get_stats(2, &st);
    tp_printf("  collected %lu objects in %u steps, longest pause %lu cycles; %u bytes freed\n",
              (unsigned long)st.collected, steps, (unsigned long)longest,
              (unsigned)(before - heap_used()));
}

/* Builds `n` rings of 4 lists each (cyclic garbage) next to a live list. */
static void make_rings(unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        tp_obj_t *first = tp_list_new(), *prev = first;
        for (int k = 0; k < 3; k++) {
            tp_obj_t *l = tp_list_new();
            tp_list_append(prev, l);
            if (prev != first) tp_decref(prev);
            prev = l;
        }
        tp_list_append(prev, first);
        tp_decref(prev);
        tp_decref(first);
    }
}

static void bounded_pauses(size_t heap_bytes) {
    section("4. bounded pauses: the same garbage, incremental vs stop-the-world");
    unsigned rings = (unsigned)(heap_bytes / 4u / 160u);
    if (rings > 150u) rings = 150u;
    tp_gc_disable(); /* this section drives the collector itself */
    make_rings(rings);
    tp_gc_start(2);
    uint64_t longest = 0, total = 0;
    unsigned steps = 0;
    while (tp_gc_in_progress()) {
        uint64_t t0 = tp_timer_cycles();
        tp_gc_step(0);
        uint64_t t = tp_timer_cycles() - t0;
        total += t;
        if (t > longest) longest = t;
        steps++;
    }
    make_rings(rings);
    uint64_t t0 = tp_timer_cycles();
    size_t found = tp_gc_collect(2);
    uint64_t stw = tp_timer_cycles() - t0;
    tp_gc_enable();
    tp_printf("  %u lists in %u rings of garbage:\n", rings * 4u, rings);
    tp_printf("    incremental: %u steps, longest pause %lu cycles (total %lu)\n", steps,
              (unsigned long)longest, (unsigned long)total);
    tp_printf("    stop-the-world: found %u objects in one pause of %lu cycles\n", (unsigned)found,
              (unsigned long)stw);
    tp_printf("  a step does at most %u units of work, whatever the heap holds\n",
              (unsigned)TP_GC_STEP_WORK);
}

static const tp_class_t node_class = {.name = "Node"};

static void weak(void) {
    section("5. weak references: no count, no cycle");
    tp_obj_t *obj = tp_instance_new(&node_class);
    tp_obj_t *r = tp_weakref_new(obj, NULL, NULL);
    tp_obj_t *got = tp_weakref_get(r);
    tp_printf("  r = weakref.ref(obj); r() is obj -> %s; getrefcount(obj) -> %u\n",
              got == obj ? "True" : "False", tp_sys_getrefcount(obj) - 1u);
    tp_decref(got);
    tp_decref(obj);
    got = tp_weakref_get(r);
    tp_printf("  del obj; r() -> %s\n", got == NULL ? "None" : "alive?!");
    tp_xdecref(got);
    tp_decref(r);
    tp_obj_t *parent = tp_instance_new(&node_class), *child = tp_instance_new(&node_class);
    tp_obj_t *kids = tp_list_new(), *proxy = tp_weakproxy_new(parent, NULL, NULL);
    tp_list_append(kids, child);
    tp_setattr(parent, "children", kids);
    tp_setattr(child, "parent", proxy);
    tp_decref(kids);
    tp_decref(proxy);
    tp_decref(child);
    size_t before = heap_used();
    tp_gc_gen_stats_t s0, s1;
    tp_gc_get_stats(2, &s0);
    tp_decref(parent);
    tp_gc_get_stats(2, &s1);
    tp_printf("  child.parent = weakref.proxy(parent); del parent: %u bytes freed by refcounting, "
              "%lu collections\n",
              (unsigned)(before - heap_used()), (unsigned long)(s1.collections - s0.collections));
}

static void copies(void) {
    section("6. copy vs deepcopy");
    tp_obj_t *a = tp_list_new(), *x = pair(1, 2), *y = pair(3, 4);
    tp_list_append(a, x);
    tp_list_append(a, y);
    tp_obj_t *shallow = tp_copy(a), *deep = tp_deepcopy(a), *five = tp_int_new(5);
    tp_list_append(x, five);
    tp_printf("  a = [[1, 2], [3, 4]]; b = copy(a); c = deepcopy(a); a[0].append(5)\n");
    tp_printf("  a -> %s\n", repr(a));
    tp_printf("  b -> %s   (shares the inner lists)\n", repr(shallow));
    tp_printf("  c -> %s      (its own)\n", repr(deep));
    tp_obj_t *objs[] = {a, x, y, shallow, deep, five};
    for (unsigned i = 0; i < sizeof objs / sizeof objs[0]; i++) tp_decref(objs[i]);
}

static void generations(size_t heap_bytes) {
    section("7. generations");
    unsigned t[3], c[3];
    tp_gc_get_threshold(t);
    tp_printf("  gc.get_threshold() -> (%u, %u, %u)\n", t[0], t[1], t[2]);
    /* a collection of generation 0 starts when the containers made exceed
     * those freed by threshold0: a small heap cannot hold 700 lists, so the
     * demo lowers it there (what a memory-bound program does) */
    /* a list is 24 bytes and a slot in `keep`: under a third of the heap, so
     * that the heap never fills (which would start a full collection) */
    unsigned t0 = t[0], fit = (unsigned)(heap_bytes / 96u);
    if (fit < t0) {
        t0 = fit;
        tp_gc_set_threshold(t0, t[1], t[2]);
        tp_printf("  gc.set_threshold(%u, %u, %u): this heap holds too few lists for 700\n", t0,
                  t[1], t[2]);
    }
    /* the pacing by bytes would start young collections of its own on a
     * small heap: set aside here, to show the count rule alone */
    tp_gc_pacing_t pacing, count_only;
    tp_gc_get_pacing(&pacing);
    count_only = pacing;
    count_only.young_permille = 1000;
    count_only.full_trigger_pct = 100;
    (void)tp_gc_set_pacing(&count_only);
    /* from clean counts: the young collections the pacing ran before would
     * make the next one count towards an older generation */
    (void)tp_gc_collect(2);
    tp_gc_gen_stats_t g0, g1;
    tp_gc_get_stats(0, &g0);
    tp_obj_t *keep = tp_list_new();
    for (unsigned i = 0; i < t0 + t0 / 16u + 2u; i++) {
        tp_obj_t *l = tp_list_new();
        tp_list_append(keep, l);
        tp_decref(l);
    }
    while (tp_gc_in_progress()) tp_gc_step(0); /* let the collection it started end */
    tp_gc_get_count(c);
    tp_gc_get_stats(0, &g1);
    tp_printf("  %u lists kept: %lu generation-0 collection, survivors moved up; "
              "gc.get_count() -> (%u, %u, %u)\n",
              t0 + t0 / 16u + 2u, (unsigned long)(g1.collections - g0.collections), c[0], c[1], c[2]);
    tp_decref(keep);
    tp_gc_set_threshold(t[0], t[1], t[2]);
    (void)tp_gc_set_pacing(&pacing);
}

/* A sensor log: records of an id, a name and a list of readings - what
 * the heap map below shows, sized to a fifth of the heap. */
static tp_obj_t *sensor_log(size_t heap_bytes) {
    tp_obj_t *log = tp_list_new();
    unsigned records = (unsigned)(heap_bytes / 5u / 200u);
    for (unsigned i = 0; i < records && log != NULL; i++) {
        tp_obj_t *rec = tp_dict_new(), *readings = tp_list_new(), *v;
        char name[40];
        tp_snprintf(name, sizeof name, "sensor-%03u/temperature-probe", i);
        (void)tp_dict_set_str(rec, "id", v = tp_int_new((int32_t)(1000 + i)));
        tp_decref(v);
        (void)tp_dict_set_str(rec, "name", v = tp_str_from(name, strlen(name)));
        tp_decref(v);
        for (unsigned k = 0; k < 1u + i % 6u; k++) {
            (void)tp_list_append(readings, v = tp_float_new(20.0 + (double)k * 0.5));
            tp_decref(v);
        }
        (void)tp_dict_set_str(rec, "readings", readings);
        tp_decref(readings);
        (void)tp_list_append(log, rec);
        tp_decref(rec);
    }
    return log;
}

/* `make heapmap` runs the demo with -append "heapdump=FILE": the dump of the
 * object heap goes to that host file, for prof/host/heapmap.py. */
static const char *heapdump_request(void) {
#if TP_SEMIHOSTING
    static char cmdline[96];
    if (tp_semihost_cmdline(cmdline, sizeof cmdline) < 0) return NULL;
    const char *p = strstr(cmdline, "heapdump=");
    return p != NULL ? p + 9 : NULL;
#else
    return NULL;
#endif
}

static void heap_picture(tp_heap_t *heap, size_t heap_bytes) {
    section("8. the heap now: a map, the pools (sys._debugmallocstats)");
    tp_obj_t *log = sensor_log(heap_bytes);
    tp_printf("  a sensor log of %lu records (dicts of an int, a str and a list of floats):\n",
              (unsigned long)tp_len(log));
    tp_heapmap_print(heap, 64, print);
    tp_heap_print_stats(heap, print);
    const char *file = heapdump_request();
    if (file != NULL)
        tp_printf("  heap dump -> %s: %ld extents\n", file, tp_heapdump_file(heap, "objects", file));
    tp_decref(log);
    tp_objects_trim();
}

/* heapy's table of what the heap holds, then objgraph's question: an
 * object the program is done with is still alive - what holds it? */
static const tp_class_t listener_class = {.name = "Listener"};

static void why_alive(size_t heap_bytes) {
    section("9. what the heap holds by type (heapy), and what keeps an object alive");
    tp_obj_t *app = tp_dict_new(), *log = sensor_log(heap_bytes), *listeners = tp_list_new();
    (void)tp_dict_set_str(app, "log", log);
    (void)tp_dict_set_str(app, "listeners", listeners);
    tp_decref(log);
    tp_decref(listeners);
    tp_printf("  app = {'log': [%lu records], 'listeners': []}\n", (unsigned long)tp_len(log));
    tp_gc_print_type_stats(print);

    /* a listener that watches the first record, registered and forgotten */
    tp_obj_t *l = tp_instance_new(&listener_class), *rec = tp_list_get(log, 0);
    tp_obj_t *r = l != NULL ? tp_weakref_new(l, NULL, NULL) : NULL;
    if (r == NULL || rec == NULL) {
        tp_printf("  (no room for the listener)\n");
    } else {
        (void)tp_setattr(l, "watches", rec);
        (void)tp_list_append(listeners, l);
        tp_printf("  l = Listener(); l.watches = app['log'][0]; app['listeners'].append(l)\n");
        tp_printf("  r = weakref.ref(l); del l\n");
    }
    tp_xdecref(rec);
    tp_xdecref(l);
    tp_obj_t *again = r != NULL ? tp_weakref_get(r) : NULL;
    if (again != NULL) {
        tp_printf("  r() -> a Listener, still alive. What holds it:\n");
        while (tp_gc_in_progress()) tp_gc_step(0); /* the search runs between collections */
        (void)tp_objects_print_path_to_root(again, 1, print); /* ours does not count */
        tp_decref(again);
        (void)tp_list_del(listeners, -1);
        again = tp_weakref_get(r);
        tp_printf("  del app['listeners'][-1]; r() -> %s\n", again != NULL ? "a Listener" : "None");
        if (again != NULL) tp_decref(again);
    }
    tp_xdecref(r);
    tp_decref(app);
    tp_objects_trim();
}

int main(void) {
    tp_printf("tidepool: booted on %s\n", tp_board_name);
    tp_printf("  core: %s, CPUID 0x%08x, FPU %s, console %s, timer %s at %lu Hz\n", TP_ARCH_NAME,
              (unsigned)SCB_CPUID, TP_HAS_FPU ? "on" : "none", tp_console_backend(),
              tp_timer_source(), (unsigned long)tp_timer_hz());

    /* The objects get one block of the default heap: the collector's 16-bit
     * links need a heap within 512 KiB (some boards add far PSRAM). */
    tp_heap_stats_t st;
    tp_heap_stats(tp_malloc_heap(), &st);
    size_t size = st.largest_free > 2048u ? st.largest_free - 1024u : 0u;
    if (size > 40u * 1024u) size = 40u * 1024u;
    void *arena = malloc(size);
    tp_heap_t *heap = arena != NULL ? tp_heap_init(arena, size) : NULL;
    if (heap == NULL || tp_gc_init(heap) != 0 || tp_objects_init() != 0) {
        tp_printf("cannot set up the object heap (%u bytes)\n", (unsigned)size);
        return 1;
    }
    tp_printf("object heap: %u bytes (pools of %u bytes, classes up to %u bytes)\n", (unsigned)size,
              (unsigned)TP_ALLOC_POOL_SIZE, (unsigned)TP_ALLOC_SMALL_MAX);

    refcounts();
    identity();
    cycle();
    bounded_pauses(size);
    weak();
    copies();
    generations(size);

    heap_picture(heap, size);
    why_alive(size);

    section("10. the memory map");
    tp_memmap_print();
    tp_printf("stack high-water: thread %u of %u bytes, handlers %u of %u bytes\n",
              (unsigned)tp_stack_high_water(), (unsigned)tp_stack_size(),
              (unsigned)tp_handler_stack_high_water(), (unsigned)tp_handler_stack_size());
    return 0;
}
