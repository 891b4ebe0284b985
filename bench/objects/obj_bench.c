// SPDX-License-Identifier: MIT
/*
 * obj_bench.c - object workloads on the built-in types (objects/) with the
 * collector (gc/), on netduinoplus2 under QEMU -icount shift=0: TIM2 counts
 * guest instructions (docs/bench-method.md).  docs/objects-bench.md says
 * what each workload does and how each figure is measured.
 *
 * Workloads (deterministic: a fixed xorshift32 seed per run):
 *   json    build and drop a parsed-JSON-like document, JSON_DOCS times: a
 *           dict whose "records" list holds 20 dicts of 5 fields (int, str,
 *           float, small int, a list of two strings);
 *   trees   binary-trees: complete trees of instances with "left"/"right"
 *           built, walked and dropped, next to one long-lived tree;
 *   cycles  json, but each record also refers to its document (a cycle):
 *           only the collector frees a document;
 *   cycles_t100  cycles with the thresholds set to 100/1/1 instead of the
 *           defaults 700/10/10 (why: docs/objects-bench.md).
 *
 * Each workload runs three times, each on a fresh heap:
 *   gc      the collector enabled (automatic incremental steps at
 *           every object allocation, paced by bytes);
 *   nogc    tp_gc_disable(): refcounting alone; a disabled collector never
 *           collects, so between units, when the heap's footprint passes
 *           three quarters of its capacity, the bench runs one
 *           tp_gc_collect(2) (timed, counted in the run's instructions);
 *   driven  tp_gc_disable(), and between units the bench starts any
 *           collection the thresholds call for (or a full one past three
 *           quarters of the heap) and runs it to the end as
 *           explicit tp_gc_step(0) calls of TP_GC_STEP_WORK units - the
 *           same steps an allocation takes - each one timed: the pauses.
 * Every run ends with one timed tp_gc_collect(2), so each run has freed all
 * it made (the cyclic garbage a disabled collector left included) and the
 * totals compare.  The collector's out-of-memory passes are timed through a
 * link-time wrapper of tp_heap_set_oom_hook (below).
 *
 * Only the workload's own calls are timed (bench_timed_call around each
 * unit); sampling the heap and the bookkeeping run between the timed calls.
 * Every figure is also printed as `BENCH objects.<workload>.<figure> <value>`.
 */
#include <stdint.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/tim2.h"
#include "console.h"
#include "fmt.h"
#include "tp_gc.h"
#include "tp_objects.h"

/* As big as the collector's benchmark: what is left of the 128 KiB of RAM
 * after the stacks and the kernel. */
#define ARENA_BYTES (112u * 1024u)
static _Alignas(8) uint8_t arena[ARENA_BYTES];
static uint32_t overhead; /* bench_timed_call around an empty function */

/* ---- the workloads' shared state ---- */

static uint32_t made;  /* objects created by the workload (see obj) */
static int failed;     /* a constructor returned NULL: the run stops */
static uint32_t rng;   /* xorshift32 */

static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Every constructor call of the workloads goes through here.  A new object
 * comes back with a count of exactly 1; a cached one (small int, one-char
 * string) is immortal and an interned string found again has a count of at
 * least 2, so the test counts objects actually made, and nothing else. */
static tp_obj_t *obj(tp_obj_t *o) {
    if (o == NULL) failed = 1;
    else if (tp_getrefcount(o) == 1u) made++;
    return o;
}

/* d[key] = value, dropping the caller's reference to value. */
static void put(tp_obj_t *d, tp_obj_t *key, tp_obj_t *value) {
    if (value == NULL) return;
    if (!failed && tp_dict_set(d, key, value) != 0) failed = 1;
    tp_decref(value);
}

static void append(tp_obj_t *l, tp_obj_t *item) {
    if (item == NULL) return;
    if (!failed && tp_list_append(l, item) != 0) failed = 1;
    tp_decref(item);
}

/* ---- json and cycles: a parsed document ---- */

#define JSON_DOCS 120u
#define JSON_RECORDS 20u

/* The keys, interned once and held for the whole run, as a parser's key
 * memo (CPython's json keeps one per document) or a program's constants
 * would: the documents share them instead of each making its own. */
enum { K_VERSION, K_SOURCE, K_RECORDS, K_SUMMARY, K_ID, K_NAME, K_TEMP, K_COUNT, K_TAGS,
       K_PARENT, K_N, K_MEAN, K_MAX, NKEYS };
static const char *const key_names[NKEYS] = {
    "version", "source", "records", "summary", "id", "name", "temp",
    "count",   "tags",   "parent",  "n",       "mean", "max",
};
static tp_obj_t *keys[NKEYS];
static const char *const tag_names[] = {"indoor", "outdoor", "north", "south", "east", "west"};
#define NTAGS (sizeof tag_names / sizeof tag_names[0])

/* The document's text, made once before any timing.  A parser copies a
 * string value out of its input and converts a number; that is the parser's
 * cost, not the object layer's, and made here with tp_snprintf and a
 * software double division it would outweigh the objects.  The timed code
 * copies from these. */
typedef struct {
    char text[12];
    uint8_t len;
} text_t;
#define NSTATIONS 50u
#define NTEMPS 64u
static text_t station_text[NSTATIONS], sensor_text[JSON_RECORDS], tag_text[NTAGS];
static double temps[NTEMPS]; /* 10.00 .. 39.90 degrees */

static void text_set(text_t *t, const char *fmt, unsigned v) __attribute__((format(printf, 2, 0)));
static void text_set(text_t *t, const char *fmt, unsigned v) {
    size_t n = tp_snprintf(t->text, sizeof t->text, fmt, v);
    t->len = (uint8_t)(n < sizeof t->text ? n : sizeof t->text - 1u);
}

static void json_text_init(void) {
    for (unsigned i = 0; i < NSTATIONS; i++) text_set(&station_text[i], "station-%u", i);
    for (unsigned i = 0; i < JSON_RECORDS; i++) text_set(&sensor_text[i], "sensor-%02u", i);
    for (unsigned i = 0; i < NTAGS; i++) {
        size_t n = strlen(tag_names[i]);
        memcpy(tag_text[i].text, tag_names[i], n);
        tag_text[i].len = (uint8_t)n;
    }
    for (unsigned i = 0; i < NTEMPS; i++) temps[i] = 10.0 + (double)(i * 47u % 300u) / 10.0;
}

static tp_obj_t *str_of(const text_t *t) { return obj(tp_str_from(t->text, t->len)); }

static uintptr_t json_setup(uintptr_t unused) {
    (void)unused;
    for (int k = 0; k < NKEYS; k++) keys[k] = obj(tp_str_new(key_names[k]));
    return 0;
}

static uintptr_t json_teardown(uintptr_t unused) {
    (void)unused;
    for (int k = 0; k < NKEYS; k++) tp_xdecref(keys[k]);
    return 0;
}

/* The record's tags: a list of two strings, each made anew (a parser's
 * string values are not interned). */
static tp_obj_t *tags(void) {
    tp_obj_t *l = obj(tp_list_new());
    if (l == NULL) return NULL;
    for (int t = 0; t < 2; t++) append(l, str_of(&tag_text[next_rand() % NTAGS]));
    return l;
}

/* {"version": 2, "source": "station-N", "records": [20 x {"id": int,
 *  "name": str, "temp": float, "count": small int, "tags": [str, str]}],
 *  "summary": {"n": 20, "mean": float, "max": float}}; with `cyclic` each
 * record also holds "parent": the document. */
static tp_obj_t *document(unsigned i, int cyclic) {
    tp_obj_t *doc = obj(tp_dict_new());
    if (doc == NULL) return NULL;
    put(doc, keys[K_VERSION], obj(tp_int_new(2)));
    put(doc, keys[K_SOURCE], str_of(&station_text[i % NSTATIONS]));
    tp_obj_t *records = obj(tp_list_new());
    unsigned sum = 0, max = 0; /* indices into temps: the summary's floats */
    for (unsigned r = 0; records != NULL && r < JSON_RECORDS && !failed; r++) {
        tp_obj_t *rec = obj(tp_dict_new());
        if (rec == NULL) break;
        unsigned t = next_rand() % NTEMPS;
        sum += t;
        if (temps[t] > temps[max]) max = t;
        put(rec, keys[K_ID], obj(tp_int_new((int32_t)(1000u + i * JSON_RECORDS + r))));
        put(rec, keys[K_NAME], str_of(&sensor_text[r]));
        put(rec, keys[K_TEMP], obj(tp_float_new(temps[t])));
        put(rec, keys[K_COUNT], obj(tp_int_new((int32_t)(next_rand() % 200u))));
        put(rec, keys[K_TAGS], tags());
        if (cyclic) put(rec, keys[K_PARENT], (tp_incref(doc), doc));
        append(records, rec);
    }
    put(doc, keys[K_RECORDS], records);
    tp_obj_t *summary = obj(tp_dict_new());
    if (summary != NULL) {
        put(summary, keys[K_N], obj(tp_int_new((int32_t)JSON_RECORDS)));
        put(summary, keys[K_MEAN], obj(tp_float_new(temps[sum / JSON_RECORDS])));
        put(summary, keys[K_MAX], obj(tp_float_new(temps[max])));
        put(doc, keys[K_SUMMARY], summary);
    }
    return doc;
}

static uintptr_t json_build(uintptr_t i) { return (uintptr_t)document((unsigned)i, 0); }
static uintptr_t cycles_build(uintptr_t i) { return (uintptr_t)document((unsigned)i, 1); }

/* ---- trees: binary-trees ---- */

#define LONG_DEPTH 8u /* the long-lived tree: 511 nodes */
#define MIN_DEPTH 5u
#define MAX_DEPTH 9u  /* 1023 nodes: more than threshold0 (700) containers */
#define TREE_SCALE 8u /* 8 << (MAX_DEPTH - d) trees of depth d: ~8,100 nodes per depth */

/* No weak references: 4 bytes less per node, and 1023 nodes of depth 9
 * next to the long-lived tree stay well inside the heap. */
static const tp_class_t node_class = {.name = "Node", .flags = TP_CLASS_NO_WEAKREF};
static tp_obj_t *none; /* tidepool has no None: an immortal small int stands in */
static tp_obj_t *long_lived;

/* Node(left, right), children first as make_tree(d - 1) is evaluated first. */
static tp_obj_t *tree(unsigned depth) {
    tp_obj_t *l = none, *r = none;
    if (depth > 0) {
        l = tree(depth - 1u);
        r = l != NULL ? tree(depth - 1u) : NULL;
        if (r == NULL) {
            tp_xdecref(l);
            return NULL;
        }
    }
    tp_obj_t *n = obj(tp_instance_new(&node_class));
    if (n != NULL && (tp_setattr(n, "left", l) != 0 || tp_setattr(n, "right", r) != 0)) {
        failed = 1;
        tp_decref(n);
        n = NULL;
    }
    if (depth > 0) {
        tp_decref(l);
        tp_decref(r);
    }
    return n;
}

/* item_check: the nodes reached through the attributes. */
static uint32_t check(tp_obj_t *n) {
    tp_obj_t *l = tp_getattr(n, "left"), *r = tp_getattr(n, "right");
    uint32_t c = 1;
    if (l != NULL && r != NULL && l != none) c += check(l) + check(r);
    tp_xdecref(l);
    tp_xdecref(r);
    return c;
}

static tp_obj_t *checked_tree(unsigned depth) {
    tp_obj_t *t = tree(depth);
    if (t != NULL && check(t) != (2u << depth) - 1u) {
        tp_printf("ERROR objects bench: tree of depth %u has the wrong node count\n", depth);
        failed = 1;
    }
    return t;
}

static uintptr_t trees_setup(uintptr_t unused) {
    (void)unused;
    none = tp_int_new(0);
    long_lived = checked_tree(LONG_DEPTH);
    return 0;
}

static uintptr_t trees_teardown(uintptr_t unused) {
    (void)unused;
    if (long_lived != NULL && check(long_lived) != (2u << LONG_DEPTH) - 1u) failed = 1;
    tp_xdecref(long_lived);
    long_lived = NULL;
    return 0;
}

/* Unit i's depth: the depths from MIN_DEPTH to MAX_DEPTH in steps of 2, the
 * shallow ones many times. */
static unsigned tree_depth(unsigned i) {
    for (unsigned d = MIN_DEPTH;; d += 2u) {
        unsigned n = TREE_SCALE << (MAX_DEPTH - d);
        if (i < n || d >= MAX_DEPTH) return d;
        i -= n;
    }
}

static unsigned tree_units(void) {
    unsigned n = 0;
    for (unsigned d = MIN_DEPTH; d <= MAX_DEPTH; d += 2u) n += TREE_SCALE << (MAX_DEPTH - d);
    return n;
}

static uintptr_t trees_build(uintptr_t i) {
    return (uintptr_t)checked_tree(tree_depth((unsigned)i));
}

/* ---- the out-of-memory pass, timed ----
 * The collector installs its out-of-memory hook with tp_heap_set_oom_hook.
 * The image is linked with --wrap=tp_heap_set_oom_hook (obj_bench.mk), so
 * that call lands here: the bench keeps the collector's hook and installs a
 * wrapper that times every call of it.  A pass finishes the collection in
 * progress or runs a full one, all at once, inside the allocation that
 * failed: a stop-the-world pause the program sees.  Nothing else of the
 * collector or the allocator is changed. */
void __real_tp_heap_set_oom_hook(tp_heap_t *heap, tp_alloc_oom_hook_t hook, void *ctx);
void __wrap_tp_heap_set_oom_hook(tp_heap_t *heap, tp_alloc_oom_hook_t hook, void *ctx);

static tp_alloc_oom_hook_t gc_oom_hook;
static void *gc_oom_ctx;
static struct {
    uint32_t passes, max;
    uint64_t total;
} oom;

static int timed_oom_hook(tp_heap_t *heap, size_t size, void *ctx) {
    (void)ctx;
    uint32_t t0 = TIM2_CNT;
    int r = gc_oom_hook(heap, size, gc_oom_ctx);
    uint32_t t = TIM2_CNT - t0;
    oom.passes++;
    oom.total += t;
    if (t > oom.max) oom.max = t;
    return r;
}

void __wrap_tp_heap_set_oom_hook(tp_heap_t *heap, tp_alloc_oom_hook_t hook, void *ctx) {
    gc_oom_hook = hook;
    gc_oom_ctx = ctx;
    __real_tp_heap_set_oom_hook(heap, hook != NULL ? timed_oom_hook : NULL, NULL);
}

/* ---- the driver ---- */

typedef uintptr_t (*work_fn_t)(uintptr_t);

typedef struct {
    const char *name;
    work_fn_t setup;    /* makes what lives through the run */
    work_fn_t build;    /* unit i: returns its root (a new reference) */
    work_fn_t teardown; /* drops what setup made */
    unsigned units;
    unsigned threshold[3]; /* {0}: the defaults */
} workload_t;

enum { M_GC, M_NOGC, M_DRIVEN, NMODES };
static const char *const mode_names[NMODES] = {"gc on ", "gc off", "driven"};

typedef struct {
    uint64_t instr;         /* the workload's timed calls, the final collect included,
                               the driven run's explicit steps not */
    uint64_t drop_instr;    /* of which the units' drops (refcounting frees an acyclic unit) */
    uint32_t objects;
    size_t peak_used;       /* highest used_bytes sampled after each build */
    size_t footprint_peak;  /* the allocator's high-water mark (pools + large blocks) */
    uint32_t collections;   /* finished before the final collect */
    uint32_t steps;         /* collector steps, the final collect's not counted */
    uint32_t max_step_work; /* units */
    uint32_t oom_passes;    /* out-of-memory passes (stop-the-world) */
    uint32_t oom_max;       /* the longest, in instructions */
    uint64_t oom_total;
    uint32_t final_collect; /* instructions of the final tp_gc_collect(2) */
    uint32_t final_found;
    uint64_t step_instr;    /* driven: instructions inside the explicit steps */
    uint32_t step_max;      /* driven: the longest explicit step */
} run_t;

static uint32_t timed(bench_fn_t fn, uintptr_t a0, uintptr_t *ret) {
    uintptr_t r;
    uint32_t t = bench_timed_call(fn, a0, 0, ret != NULL ? ret : &r);
    return t > overhead ? t - overhead : 0;
}

static uintptr_t drop(uintptr_t o) {
    tp_xdecref((tp_obj_t *)o);
    return 0;
}

static size_t used_bytes(void) {
    tp_heap_stats_t st;
    tp_heap_stats(tp_gc_heap(), &st);
    return st.used_bytes;
}

/* The collection the thresholds call for now, as the collector's own
 * choice at a safe point (without its long-lived rule for generation 2,
 * whose counters are private), or -1. */
static int due_generation(void) {
    unsigned c[3], t[3];
    tp_gc_get_count(c);
    tp_gc_get_threshold(t);
    for (int g = 2; g >= 0; g--)
        if (t[g] != 0 && c[g] > t[g]) return g;
    return -1;
}

/* Driven run: the due collection, if any, as explicit steps, each timed. */
static void drive(run_t *r) {
    int gen = due_generation();
    /* a disabled collector never collects by itself, not even when memory
     * runs out: past three quarters of the heap, a full collection */
    tp_heap_t *h = tp_gc_heap();
    if (gen < 0 && tp_heap_footprint(h) > tp_heap_capacity(h) / 4u * 3u) gen = 2;
    if (gen < 0) return;
    tp_gc_start(gen);
    uintptr_t more = 1;
    while (more) {
        uint32_t t = timed((bench_fn_t)tp_gc_step, 0, &more);
        r->step_instr += t;
        if (t > r->step_max) r->step_max = t;
    }
}

static void run(const workload_t *w, int mode, run_t *r) {
    memset(r, 0, sizeof *r);
    memset(&oom, 0, sizeof oom);
    tp_heap_t *h = tp_heap_init(arena, sizeof arena);
    if (h == NULL || tp_gc_init(h) != 0 || tp_objects_init() != 0) {
        tp_printf("ERROR objects bench: cannot set up the heap\n");
        failed = 1;
        return;
    }
    size_t base = used_bytes();
    made = 0;
    failed = 0;
    rng = 2463534242u;
    if (w->threshold[0] != 0) tp_gc_set_threshold(w->threshold[0], w->threshold[1], w->threshold[2]);
    if (mode != M_GC) tp_gc_disable();

    r->instr += timed((bench_fn_t)w->setup, 0, NULL);
    for (unsigned i = 0; i < w->units && !failed; i++) {
        uintptr_t root;
        r->instr += timed((bench_fn_t)w->build, i, &root);
        size_t u = used_bytes();
        if (u > r->peak_used) r->peak_used = u;
        if (mode == M_DRIVEN) drive(r);
        uint32_t t = timed((bench_fn_t)drop, root, NULL);
        r->instr += t;
        r->drop_instr += t;
        if (mode == M_DRIVEN) drive(r);
        if (mode == M_NOGC && tp_heap_footprint(h) > tp_heap_capacity(h) / 4u * 3u)
            r->instr += timed((bench_fn_t)tp_gc_collect, 2, NULL);
    }
    r->instr += timed((bench_fn_t)w->teardown, 0, NULL);

    tp_gc_run_stats_t rs;
    tp_gc_get_run_stats(&rs);
    r->steps = rs.steps;
    r->max_step_work = rs.max_step_work;
    for (int g = 0; g < 3; g++) {
        tp_gc_gen_stats_t gs;
        tp_gc_get_stats(g, &gs);
        r->collections += gs.collections;
    }
    r->oom_passes = oom.passes;
    r->oom_max = oom.max;
    r->oom_total = oom.total;
    uintptr_t found;
    r->final_collect = timed((bench_fn_t)tp_gc_collect, 2, &found);
    r->final_found = (uint32_t)found;
    r->instr += r->final_collect;
    r->objects = made;

    tp_heap_stats_t st;
    tp_heap_stats(h, &st);
    r->footprint_peak = st.footprint_peak;
    /* everything made was freed: only the collector's list heads and the
     * layer's caches (given back by trim) may remain */
    tp_objects_trim();
    if (used_bytes() != base || rs.errors != 0)
        tp_printf("ERROR objects bench: %s (%s): %u bytes left, %u collector errors\n", w->name,
                  mode_names[mode], (unsigned)(used_bytes() - base), (unsigned)rs.errors);
    if (failed)
        tp_printf("ERROR objects bench: %s (%s): a constructor failed (%s)\n", w->name,
                  mode_names[mode], tp_err_name(tp_err()));
}

/* ---- output ---- */

/* num/den with one decimal, rounded, sign kept. */
static void fixed1(char *buf, size_t size, int64_t num, uint64_t den) {
    if (den == 0) den = 1;
    uint64_t a = (uint64_t)(num < 0 ? -num : num);
    uint64_t x = (a * 10u + den / 2u) / den;
    (void)tp_snprintf(buf, size, "%s%llu.%llu", num < 0 && x != 0 ? "-" : "",
                      (unsigned long long)(x / 10u), (unsigned long long)(x % 10u));
}

static void report(const workload_t *w, const run_t r[NMODES]) {
    const run_t *on = &r[M_GC], *off = &r[M_NOGC], *drv = &r[M_DRIVEN];
    for (int m = 0; m < NMODES; m++) {
        char b[16];
        uint64_t total = r[m].instr + r[m].step_instr;
        fixed1(b, sizeof b, (int64_t)total, r[m].objects);
        tp_printf("%-11s %s: %5u objects, %8llu instructions (%6s per object; drops %7llu), peak "
                  "%5u bytes used (footprint %6u); %2u collections, %4u steps (max %5u units); %2u "
                  "out-of-memory passes (longest %6u); final collect %6u (%u found)\n",
                  w->name, mode_names[m], (unsigned)r[m].objects, (unsigned long long)total, b,
                  (unsigned long long)r[m].drop_instr,
                  (unsigned)r[m].peak_used, (unsigned)r[m].footprint_peak,
                  (unsigned)r[m].collections, (unsigned)r[m].steps, (unsigned)r[m].max_step_work,
                  (unsigned)r[m].oom_passes, (unsigned)r[m].oom_max, (unsigned)r[m].final_collect,
                  (unsigned)r[m].final_found);
    }
    /* The collector's share, two ways.  Difference: the disabled run minus
     * what the collector still did in it (out-of-memory passes, the final
     * collect) is the program alone; the enabled run's excess over that, over
     * the enabled run.  Measured: the driven run's instructions inside the
     * collector (explicit steps, out-of-memory passes, final collect) over its
     * total. */
    char share[16], share_drv[16], ipo[16], ipo_off[16];
    int64_t alone = (int64_t)off->instr - (int64_t)off->oom_total - (int64_t)off->final_collect;
    fixed1(share, sizeof share, ((int64_t)on->instr - alone) * 100, on->instr);
    uint64_t drv_gc = drv->step_instr + drv->oom_total + drv->final_collect;
    fixed1(share_drv, sizeof share_drv, (int64_t)drv_gc * 100, drv->instr + drv->step_instr);
    fixed1(ipo, sizeof ipo, (int64_t)on->instr, on->objects);
    fixed1(ipo_off, sizeof ipo_off, (int64_t)off->instr, off->objects);
    /* the longest pause with the collector enabled: an automatic step (the
     * driven run's steps are the same call with the same budget) or an
     * out-of-memory pass, whichever is longer */
    uint32_t pause = on->oom_max > drv->step_max ? on->oom_max : drv->step_max;
    tp_printf("%-11s collector share %s %% (difference), %s %% (driven, measured); longest step "
              "%u instructions, longest pause with gc on %u\n",
              w->name, share, share_drv, (unsigned)drv->step_max, (unsigned)pause);

    /* the BENCH lines: a text when the figure has a decimal, else the number */
    const struct {
        const char *figure, *text;
        uint64_t value;
    } figures[] = {
        {"objects", NULL, on->objects},
        {"instr_per_obj", ipo, 0},
        {"instr_per_obj_nogc", ipo_off, 0},
        {"peak_bytes", NULL, on->peak_used},
        {"peak_bytes_nogc", NULL, off->peak_used},
        {"footprint_peak", NULL, on->footprint_peak},
        {"footprint_peak_nogc", NULL, off->footprint_peak},
        {"gc_share_pct", share, 0},
        {"gc_share_pct_driven", share_drv, 0},
        {"pause_max_instr", NULL, pause},
        {"step_max_instr", NULL, drv->step_max},
        {"collections", NULL, on->collections},
        {"oom_passes", NULL, on->oom_passes},
        {"oom_passes_nogc", NULL, off->oom_passes},
    };
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        char b[24];
        if (figures[i].text == NULL)
            (void)tp_snprintf(b, sizeof b, "%llu", (unsigned long long)figures[i].value);
        tp_printf("BENCH objects.%s.%s %s\n", w->name, figures[i].figure,
                  figures[i].text != NULL ? figures[i].text : b);
    }
}

int main(void) {
    tim2_start();
    uintptr_t r0;
    overhead = bench_timed_call((bench_fn_t)bench_empty, 0, 0, &r0);
    uint32_t nop = bench_timed_call((bench_fn_t)bench_nop100, 0, 0, &r0) - overhead;
    tp_printf("# object workloads (netduinoplus2, TIM2 = guest instructions; 100 NOPs = %u), "
              "heap %u bytes, step work %u units, at most %u per call, thresholds "
              "%u/%u/%u\n",
              (unsigned)nop, (unsigned)ARENA_BYTES, (unsigned)TP_GC_STEP_WORK,
              (unsigned)TP_GC_CALL_WORK, (unsigned)TP_GC_THRESHOLD0,
              (unsigned)TP_GC_THRESHOLD1, (unsigned)TP_GC_THRESHOLD2);
    if (nop != 100u) tp_printf("WARNING the timer does not count one per instruction\n");
    json_text_init();

    const workload_t workloads[] = {
        {"json", json_setup, json_build, json_teardown, JSON_DOCS, {0}},
        {"trees", trees_setup, trees_build, trees_teardown, tree_units(), {0}},
        {"cycles", json_setup, cycles_build, json_teardown, JSON_DOCS, {0}},
        /* the same with thresholds sized for this heap (see docs/objects-bench.md) */
        {"cycles_t100", json_setup, cycles_build, json_teardown, JSON_DOCS, {100, 1, 1}},
    };
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++) {
        run_t r[NMODES];
        for (int m = 0; m < NMODES; m++) run(&workloads[i], m, &r[m]);
        report(&workloads[i], r);
    }
    return 0;
}
