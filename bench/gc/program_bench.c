// SPDX-License-Identifier: MIT
/*
 * program_bench.c - what a program sees of memory management: every call it
 * makes into the runtime (objects/ on gc/ on alloc/), timed, with the
 * memory-management work done inside each call measured apart, on
 * netduinoplus2 under QEMU -icount shift=0 (TIM2 counts guest instructions;
 * docs/bench-method.md).  A 112 KiB objects heap, the collector's default
 * settings unless a baseline says otherwise.
 *
 * Workloads (deterministic: a fixed xorshift32 seed per workload, each on a
 * fresh heap):
 *   service_<N>k  a long-lived list of records (an instance or a dict of
 *           three fields: two ints and a str; acyclic) grows to N KiB of
 *           live set, then for SERVICE_ITERS iterations shrinks to 3/4 of
 *           its records and grows back (a random record dropped, or a new
 *           one appended), while one random record is replaced each
 *           iteration and each iteration builds a small cycle (dict ->
 *           list -> instance -> the dict, through its attribute "back")
 *           and drops it.  N = 8, 32, 56, 80.  At the end it drops the list.
 *   droplist_<N>  a list of N lists of two ints is built, then dropped with
 *           one decref; then small lists are made and dropped (each call a
 *           safe point or a last decref) until every dropped list is freed:
 *           no death pending (bounded deallocation), and no list of a
 *           collection's set left waiting for the collection (a husk,
 *           tp_gc_refcount.c: a decref during a collection may free nothing at
 *           once).  N = 256, 1024 and the largest that fits (15/16 of what
 *           fills the heap).
 *   service_rc_32k   baseline: service_32k with the collector disabled and
 *           each cycle broken by hand before it is dropped (n.back = None):
 *           refcounting frees everything.
 *   service_stw_32k  baseline: service_32k with the collector disabled and,
 *           whenever the footprint passes 3/4 of the heap's capacity, one
 *           tp_gc_collect(2) (a timed call of the program: stop-the-world).
 * The figures that sum up all workloads (gc.program_pause_max,
 * gc.pacing_failures, gc.failed_allocs, gc.mmu_*) are over the program
 * workloads, service_* and droplist_*, without the two baselines.
 *
 * How a call is measured.  Every call the workload makes into the runtime
 * (each constructor, append, set, setattr, del, decref, collect) goes
 * through rt(): bench_timed_call3 around it, minus the measured overhead of
 * the timed call.  The collector's probe (tp_gc_set_probe) reads TIM2 at the
 * start and end of every slice of memory-management work (only the
 * outermost of nested slices counts); the probe's own instructions are
 * calibrated at start-up and taken out of both the slice and the call.  So
 * for each call: its whole time, and the memory-management time inside it
 * by kind (alloc: a safe point; decref: a last decref's frees; oom: an
 * out-of-memory pass; step: an explicit collect).  What the runtime does
 * outside the probe's slices (the allocator's own alloc and free, a leaf
 * object freed at once by its last decref) is the call's, not memory
 * management's.
 *
 * The workload's timeline is its runtime calls laid end to end (the
 * program's own few instructions between calls, and the benchmark's
 * bookkeeping, are left out: a slightly pessimistic view of the mutator).
 * On it:
 *   pause       the longest memory-management time inside one call (the
 *               program pause; by kind: the longest of that kind in a call)
 *   call max    the longest whole call
 *   share       memory-management instructions over all the calls'
 *               (gc.mm_share); gc.collector_steps_share counts the
 *               collection's steps alone (TP_GC_WORK_COLLECT slices, nested
 *               in the others), and gc.collector_share those less the
 *               freeing of what died inside them (TP_GC_WORK_FREE, nested
 *               in the steps: the work refcounting does for acyclic
 *               garbage) - the collector's own work
 *   MMU(w)      minimum mutator utilisation: the smallest fraction of any
 *               window of w instructions (10,000 and 100,000) outside
 *               memory-management slices.  The worst window starts at a
 *               slice's start or ends at a slice's end, so those windows
 *               are evaluated (plus the first and the last window), from a
 *               ring of the last RING slices with the memory-management
 *               time before each; a window that reaches past the ring is
 *               counted and reported (gc.mmu_lost.<workload>, a warning),
 *               never silently.  A run
 *               shorter than w: its own utilisation.
 *   live        the footprint (tp_heap_footprint: large blocks and whole
 *               pool pages) of the workload's live set with no garbage,
 *               measured on a fresh heap: the live set built with the
 *               collector off, tp_gc_collect(2), footprint read
 *   peak/live   the highest footprint sampled after each call, over live
 *   floating    at the end of each collection (a gc callback), the
 *               footprint minus the live set of that moment (estimated from
 *               the records held, linearly between an empty and a full
 *               list); the largest such (bytes)
 * Pacing failures and out-of-memory passes come from tp_gc_get_run_stats,
 * failed allocations from tp_heap_stats (fail_count).  A failed allocation
 * does not stop a workload: it skips what it could not make.
 *
 * Every figure is printed as `BENCH gc.<key> <value>` too; percentages and
 * ratios with two decimals.
 */
#include <stdint.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/tim2.h"
#include "console.h"
#include "fmt.h"
#include "stack.h"
#include "tp_gc.h"
#include "tp_objects.h"

/* As big as the other benchmarks' arenas; on a 1 KiB boundary (a pool page),
 * so that the heap's layout, and the figures, do not move when unrelated
 * code moves the arena. */
#define ARENA_BYTES (112u * 1024u)
static _Alignas(1024) uint8_t arena[ARENA_BYTES];
static tp_heap_t *heap;
static uint32_t overhead; /* bench_timed_call3 around an empty function */

#ifndef SERVICE_ITERS
#define SERVICE_ITERS 12000u
#endif
#define KIND_COUNT 4 /* TP_GC_WORK_ALLOC, _DECREF, _OOM, _STEP */
static const char *const kind_names[KIND_COUNT] = {"alloc", "decref", "oom", "step"};

/* ---- the probe ---- */

#define SLICES_MAX 16u
typedef struct {
    uint32_t t0;  /* TIM2 at the slice's start */
    uint32_t dur; /* instructions, the probe's own taken out */
    uint8_t kind;
} slice_t;

static struct {
    unsigned depth;    /* nesting of begin/end pairs */
    int kind;          /* of the outermost slice open */
    uint32_t t0;
    uint32_t inner;    /* the probe's instructions inside a slice (calibrated) */
    uint32_t pair;     /* all the instructions one begin/end pair costs */
    uint32_t lead;     /* TIM2 read before a call to the call's first instruction */
    uint32_t rbase;    /* TIM2 before the current call */
    unsigned n;        /* slices recorded in the current call */
    unsigned pairs;    /* begin/end pairs in the current call, nested ones included */
    uint32_t merged;   /* slices beyond SLICES_MAX, merged into the last */
    int in_call;       /* slices are recorded only inside rt()'s timed call */
    uint32_t c0[2];    /* TIM2 at the start of the collection's steps, of a free (nested) */
    uint32_t coll;     /* instructions in the collection's steps, this call */
    uint32_t freeing;  /* of them, freeing what died */
    slice_t s[SLICES_MAX];
} pr;

static void probe(int kind, int begin, void *ctx) {
    (void)ctx;
    if (kind == TP_GC_WORK_COLLECT || kind == TP_GC_WORK_FREE) {
        /* nested in a slice: the collection's own steps, and inside them
         * the freeing of what died, timed apart */
        int f = kind == TP_GC_WORK_FREE;
        if (begin) {
            pr.depth++;
            pr.c0[f] = TIM2_CNT;
            return;
        }
        uint32_t t1 = TIM2_CNT;
        if (pr.depth == 0) return;
        pr.depth--;
        pr.pairs += (unsigned)pr.in_call;
        if (pr.in_call) {
            uint32_t d = t1 - pr.c0[f];
            d = d > pr.inner ? d - pr.inner : 0u;
            if (f)
                pr.freeing += d;
            else
                pr.coll += d;
        }
        return;
    }
    if (begin) {
        if (pr.depth++ == 0) {
            pr.kind = kind;
            pr.t0 = TIM2_CNT;
        }
        return;
    }
    uint32_t t1 = TIM2_CNT;
    if (pr.depth == 0) return; /* an end without a begin: ignored */
    if (--pr.depth != 0 || !pr.in_call) {
        pr.pairs += (unsigned)pr.in_call;
        return;
    }
    pr.pairs++;
    uint32_t d = t1 - pr.t0;
    d = d > pr.inner ? d - pr.inner : 0u;
    if (pr.n < SLICES_MAX) {
        pr.s[pr.n].t0 = pr.t0;
        pr.s[pr.n].dur = d;
        pr.s[pr.n].kind = (uint8_t)pr.kind;
        pr.n++;
    } else {
        /* the last slice stretched to cover this one (the gap counts as
         * memory management: pessimistic) */
        slice_t *l = &pr.s[SLICES_MAX - 1u];
        l->dur = (pr.t0 - l->t0) + d;
        pr.merged++;
    }
}

/* ---- minimum mutator utilisation ---- */

#define RING 384u
#define NWIN 2
static const uint32_t win[NWIN] = {10000u, 100000u};

static struct {
    uint32_t s[RING];   /* slice k's start on the timeline: s[k % RING] */
    uint32_t c[RING];   /* memory-management time before slice k */
    uint32_t count;     /* slices pushed */
    uint32_t cum;       /* memory-management time up to the newest slice's end */
    uint32_t evicted_end; /* end of the newest slice pushed out of the ring */
    uint32_t pend[NWIN];  /* the oldest slice whose start-aligned window is not evaluated */
    uint8_t first_done[NWIN];
    uint32_t worst[NWIN]; /* the most memory-management time in one window */
    uint32_t lost;      /* windows that reached past the ring */
} mmu;

static void mmu_reset(void) { memset(&mmu, 0, sizeof mmu); }

static uint32_t slice_len(uint32_t k) {
    uint32_t after = k + 1u < mmu.count ? mmu.c[(k + 1u) % RING] : mmu.cum;
    return after - mmu.c[k % RING];
}

/* Memory-management time before timeline point t (t no later than the
 * newest slice's end, or any point after it). */
static uint32_t mm_before(uint32_t t) {
    if (mmu.count == 0) return 0;
    uint32_t lo = mmu.count > RING ? mmu.count - RING : 0u, hi = mmu.count;
    if (t < mmu.s[lo % RING]) {
        if (lo > 0 && t < mmu.evicted_end) mmu.lost++;
        return mmu.c[lo % RING];
    }
    while (hi - lo > 1u) { /* the newest slice starting at or before t */
        uint32_t mid = lo + (hi - lo) / 2u;
        if (mmu.s[mid % RING] <= t)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t in = t - mmu.s[lo % RING], len = slice_len(lo);
    return mmu.c[lo % RING] + (in < len ? in : len);
}

static void window(int w, uint32_t mm) {
    if (mm > mmu.worst[w]) mmu.worst[w] = mm;
}

/* Every window that can be evaluated once the timeline is known up to `now`:
 * the one ending at now (when now is a slice's end), the first one, and
 * those starting at a slice's start and ending by now. */
static void mmu_eval(uint32_t now, int ends_slice) {
    for (int w = 0; w < NWIN; w++) {
        uint32_t W = win[w];
        if (now < W) continue;
        if (ends_slice) window(w, mmu.cum - mm_before(now - W));
        if (!mmu.first_done[w]) {
            window(w, mm_before(W));
            mmu.first_done[w] = 1;
        }
        while (mmu.pend[w] < mmu.count) {
            uint32_t k = mmu.pend[w];
            if (k + RING < mmu.count) { /* pushed out before it could be evaluated */
                mmu.lost++;
                mmu.pend[w] = mmu.count - RING;
                continue;
            }
            uint32_t s = mmu.s[k % RING];
            if (s > now - W) break;
            window(w, mm_before(s + W) - mmu.c[k % RING]);
            mmu.pend[w]++;
        }
    }
}

static void mmu_push(uint32_t start, uint32_t dur) {
    if (dur == 0) return;
    if (mmu.count >= RING) {
        uint32_t k = mmu.count - RING;
        mmu.evicted_end = mmu.s[k % RING] + slice_len(k);
    }
    mmu.s[mmu.count % RING] = start;
    mmu.c[mmu.count % RING] = mmu.cum;
    mmu.count++;
    mmu.cum += dur;
    mmu_eval(start + dur, 1);
}

/* The run ended at T: the last window, and MMU in hundredths of a percent. */
static void mmu_finish(uint32_t T, uint32_t out[NWIN]) {
    mmu_eval(T, 0);
    for (int w = 0; w < NWIN; w++) {
        uint64_t W = win[w], mm;
        if (T >= W) {
            window(w, mmu.cum - mm_before(T - (uint32_t)W));
            mm = mmu.worst[w];
        } else {
            W = T; /* shorter than the window: the run's own utilisation */
            mm = mmu.cum;
        }
        out[w] = W == 0 ? 10000u : (uint32_t)((W - (mm < W ? mm : W)) * 10000u / W);
    }
}

/* ---- one workload's figures ---- */

/* Where the longest pause of a workload happened. */
typedef struct {
    bench_fn_t fn;                 /* the runtime function called */
    const char *phase;             /* the collector's phase after the call */
    uint32_t pending_before, pending_after; /* deaths pending (bounded deallocation) */
    uint32_t fp_before, fp_after;  /* footprint */
} where_t;

typedef struct {
    const char *name;
    int program;          /* counts in the totals (not a baseline) */
    uint32_t calls, failed_calls;
    uint64_t instr, mm;   /* all calls; memory management inside them */
    uint64_t coll;        /* of that, the collection's steps */
    uint64_t freeing;     /* and of those, freeing the dead */
    uint32_t pairs;       /* the probe's begin/end pairs */
    uint32_t call_max, pause_max, pause_kind; /* pause_kind: the biggest part of pause_max */
    uint32_t kind_max[KIND_COUNT];            /* the longest of each kind in one call */
    uint32_t last_whole, last_mm;             /* the last call's */
    bench_fn_t call_max_fn;
    uint32_t call_max_mm;                     /* memory management inside it */
    where_t pause_at;
    size_t live, peak, peak_hw;
    /* the live-set estimate at a collection's end: base + (live - base) *
     * units / units_full */
    size_t base;
    uint32_t units, units_full;
    uint32_t floating;
    uint32_t collections_ended;
    uint32_t mmu[NWIN];
    uint32_t mmu_lost;    /* windows that reached past the ring (0: the MMU is exact) */
    uint32_t timeline;    /* 32-bit: the runs are far shorter than 2^32 ... */
    int timeline_full;    /* ... or this says the MMU figures are not to be trusted */
    tp_gc_run_stats_t rs;
    uint32_t heap_fails;
} wl_t;

static wl_t *cur; /* the workload being measured; NULL: calls not counted */

static size_t heap_used(void) {
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    return st.used_bytes;
}

static uint32_t pending(void) {
    tp_gc_run_stats_t rs;
    tp_gc_get_run_stats(&rs);
    return rs.pending_objects;
}

/* A gc callback: the end of a collection (phase 1). */
static void on_collection(int phase, const tp_gc_info_t *info, void *ctx) {
    (void)info, (void)ctx;
    if (phase != 1 || cur == NULL) return;
    cur->collections_ended++;
    size_t fp = tp_heap_footprint(heap);
    size_t est = cur->base;
    if (cur->units_full > 0 && cur->live > cur->base)
        est += (size_t)((uint64_t)(cur->live - cur->base) * cur->units / cur->units_full);
    if (fp > est && fp - est > cur->floating) cur->floating = (uint32_t)(fp - est);
}

/* The call just made: t instructions between the timed call's reads, the
 * slices the probe saw in it; before: the state before it. */
static void account(uint32_t t, bench_fn_t fn, const where_t *before) {
    unsigned n = pr.n;
    uint32_t whole = t - overhead;
    uint32_t probes = pr.pairs * pr.pair;
    whole = whole > probes ? whole - probes : 0u;
    wl_t *w = cur;
    if (w == NULL) return;
    uint32_t mm = 0, kind_mm[KIND_COUNT] = {0};
    uint32_t prev_end = 0; /* within the call */
    for (unsigned i = 0; i < n; i++) {
        const slice_t *s = &pr.s[i];
        /* where the slice starts in the call, the probe's earlier pairs out */
        int64_t off = (int64_t)(uint32_t)(s->t0 - pr.rbase) - pr.lead - (int64_t)i * pr.pair;
        uint32_t o = off < (int64_t)prev_end ? prev_end : (uint32_t)off;
        uint32_t d = s->dur;
        if (o > whole) o = whole;
        if (d > whole - o) d = whole - o;
        mmu_push(w->timeline + o, d);
        prev_end = o + d;
        mm += d;
        kind_mm[s->kind < KIND_COUNT ? s->kind : 0] += d;
    }
    if (whole > UINT32_MAX - win[NWIN - 1] - w->timeline) w->timeline_full = 1;
    w->timeline += whole;
    w->pairs += pr.pairs;
    w->calls++;
    w->instr += whole;
    w->mm += mm;
    w->coll += pr.coll;
    w->freeing += pr.freeing;
    w->last_whole = whole;
    w->last_mm = mm;
    if (whole > w->call_max) {
        w->call_max = whole;
        w->call_max_fn = fn;
        w->call_max_mm = mm;
    }
    uint32_t big = 0;
    for (uint32_t k = 0; k < KIND_COUNT; k++) {
        if (kind_mm[k] > w->kind_max[k]) w->kind_max[k] = kind_mm[k];
        if (kind_mm[k] > kind_mm[big]) big = k;
    }
    size_t fp = tp_heap_footprint(heap);
    if (fp > w->peak) w->peak = fp;
    if (mm > w->pause_max) {
        w->pause_max = mm;
        w->pause_kind = big;
        w->pause_at = *before;
        w->pause_at.fn = fn;
        w->pause_at.phase = tp_gc_phase_name();
        w->pause_at.pending_after = pending();
        w->pause_at.fp_after = (uint32_t)fp;
    }
}

/* Every call into the runtime: fn(a0, a1, a2), its r0 returned. */
static uintptr_t rt(bench_fn_t fn, uintptr_t a0, uintptr_t a1, uintptr_t a2) {
    uintptr_t ret;
    where_t before = {0};
    if (cur != NULL) {
        before.pending_before = pending();
        before.fp_before = (uint32_t)tp_heap_footprint(heap);
    }
    pr.n = 0;
    pr.pairs = 0;
    pr.coll = 0;
    pr.freeing = 0;
    pr.in_call = 1;
    pr.rbase = TIM2_CNT;
    uint32_t t = bench_timed_call3(fn, a0, a1, a2, &ret);
    pr.in_call = 0;
    account(t, fn, &before);
    return ret;
}

static tp_obj_t *rt_obj(bench_fn_t fn, uintptr_t a0, uintptr_t a1, uintptr_t a2) {
    tp_obj_t *o = (tp_obj_t *)rt(fn, a0, a1, a2);
    if (o == NULL && cur != NULL) cur->failed_calls++;
    return o;
}

static int rt_int(bench_fn_t fn, uintptr_t a0, uintptr_t a1, uintptr_t a2) {
    int r = (int)(uint32_t)rt(fn, a0, a1, a2);
    if (r != 0 && cur != NULL) cur->failed_calls++;
    return r;
}

static uintptr_t decref_fn(uintptr_t o) {
    tp_decref((tp_obj_t *)o);
    return 0;
}

/* The runtime's calls, as the workloads make them. */
static tp_obj_t *new_dict(void) { return rt_obj((bench_fn_t)tp_dict_new, 0, 0, 0); }
static tp_obj_t *new_list(void) { return rt_obj((bench_fn_t)tp_list_new, 0, 0, 0); }
static tp_obj_t *new_int(int32_t v) {
    return rt_obj((bench_fn_t)tp_int_new, (uintptr_t)(uint32_t)v, 0, 0);
}
static tp_obj_t *new_str(const char *s, size_t len) {
    return rt_obj((bench_fn_t)tp_str_from, (uintptr_t)s, len, 0);
}
static tp_obj_t *new_instance(const tp_class_t *cls) {
    return rt_obj((bench_fn_t)tp_instance_new, (uintptr_t)cls, 0, 0);
}
static int list_append(tp_obj_t *l, tp_obj_t *x) {
    return rt_int((bench_fn_t)tp_list_append, (uintptr_t)l, (uintptr_t)x, 0);
}
static int list_set(tp_obj_t *l, uint32_t i, tp_obj_t *x) {
    return rt_int((bench_fn_t)tp_list_set, (uintptr_t)l, i, (uintptr_t)x);
}
static int list_del(tp_obj_t *l, uint32_t i) {
    return rt_int((bench_fn_t)tp_list_del, (uintptr_t)l, i, 0);
}
static int dict_set(tp_obj_t *d, tp_obj_t *k, tp_obj_t *v) {
    return rt_int((bench_fn_t)tp_dict_set, (uintptr_t)d, (uintptr_t)k, (uintptr_t)v);
}
static int set_attr(tp_obj_t *o, const char *name, tp_obj_t *v) {
    return rt_int((bench_fn_t)tp_setattr, (uintptr_t)o, (uintptr_t)name, (uintptr_t)v);
}
static void drop(tp_obj_t *o) {
    if (o != NULL) (void)rt((bench_fn_t)decref_fn, (uintptr_t)o, 0, 0);
}
static void collect(void) { (void)rt((bench_fn_t)tp_gc_collect, 2, 0, 0); }

/* ---- set-up ---- */

static uint32_t rng;

static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static size_t fresh_used; /* bytes in use on a fresh heap (the collector's list heads) */

static int fresh_heap(void) {
    heap = tp_heap_init(arena, sizeof arena);
    if (heap == NULL || tp_gc_init(heap) != 0 || tp_objects_init() != 0 ||
        tp_gc_add_callback(on_collection, NULL) != 0) {
        tp_printf("ERROR program bench: cannot set up the heap\n");
        return -1;
    }
    tp_gc_set_probe(probe, NULL);
    fresh_used = heap_used();
    return 0;
}

/* ---- the service ---- */

static const tp_class_t record_class = {.name = "Record", .flags = TP_CLASS_NO_WEAKREF};
static const tp_class_t node_class = {.name = "Node"};

enum { K_ID, K_NAME, K_VALUE, K_ITEMS, K_N, NKEYS };
static const char *const key_names[NKEYS] = {"id", "name", "value", "items", "n"};
static tp_obj_t *keys[NKEYS];
static tp_obj_t *none; /* tidepool has no None: an immortal small int stands in */

static void keys_make(void) {
    for (int k = 0; k < NKEYS; k++)
        keys[k] = rt_obj((bench_fn_t)tp_str_new, (uintptr_t)key_names[k], 0, 0);
    none = tp_int_new(0);
}

static void keys_drop(void) {
    for (int k = 0; k < NKEYS; k++) {
        drop(keys[k]);
        keys[k] = NULL;
    }
}

static void field(tp_obj_t *r, int is_inst, int key, tp_obj_t *v) {
    if (r == NULL || v == NULL) return;
    if (is_inst)
        (void)set_attr(r, key_names[key], v);
    else
        (void)dict_set(r, keys[key], v);
}

/* Record number `serial`: odd ones an instance, even ones a dict, of
 * id (int), name (str "rec-<serial>") and value (int). */
static tp_obj_t *record(uint32_t serial) {
    char text[16];
    size_t len = tp_snprintf(text, sizeof text, "rec-%u", (unsigned)serial);
    int is_inst = (int)(serial & 1u);
    tp_obj_t *r = is_inst ? new_instance(&record_class) : new_dict();
    tp_obj_t *id = new_int((int32_t)(100000u + serial));
    field(r, is_inst, K_ID, id);
    drop(id);
    tp_obj_t *name = new_str(text, len < sizeof text ? len : sizeof text - 1u);
    field(r, is_inst, K_NAME, name);
    drop(name);
    tp_obj_t *value = new_int((int32_t)(1000u + next_rand() % 100000u));
    field(r, is_inst, K_VALUE, value);
    drop(value);
    return r;
}

/* d = {"n": int, "items": [Node(back=d)]}, dropped: cyclic garbage (unless
 * broken by hand first: n.back = None). */
static void cycle(uint32_t i, int by_hand) {
    tp_obj_t *d = new_dict(), *l = new_list();
    tp_obj_t *v = new_int((int32_t)(200000u + i));
    if (d != NULL && v != NULL) (void)dict_set(d, keys[K_N], v);
    drop(v);
    if (d != NULL && l != NULL) (void)dict_set(d, keys[K_ITEMS], l);
    tp_obj_t *n = new_instance(&node_class);
    if (n != NULL && l != NULL) (void)list_append(l, n);
    if (n != NULL && d != NULL) {
        (void)set_attr(n, "back", d);
        if (by_hand) (void)set_attr(n, "back", none);
    }
    drop(n);
    drop(l);
    drop(d);
}

enum { SV_GC, SV_RC, SV_STW };

typedef struct {
    uint32_t records; /* R: the records of N KiB */
    size_t base;      /* footprint with the keys and an empty list */
    size_t live;      /* footprint of R records, no garbage */
} service_size_t;

/* On a fresh heap, with the collector off and no garbage: how many records
 * make `kib` KiB of footprint, and the live set's footprint. */
static int service_calibrate(unsigned kib, service_size_t *sz) {
    if (fresh_heap() != 0) return -1;
    cur = NULL;
    rng = 1u;
    tp_gc_disable();
    keys_make();
    tp_obj_t *records = new_list();
    (void)tp_gc_collect(2);
    sz->base = tp_heap_footprint(heap);
    uint32_t n = 0;
    while (records != NULL && tp_heap_footprint(heap) < sz->base + kib * 1024u) {
        tp_obj_t *r = record(n);
        if (r == NULL || list_append(records, r) != 0) {
            drop(r);
            break;
        }
        drop(r);
        n++;
    }
    (void)tp_gc_collect(2);
    sz->records = n;
    sz->live = tp_heap_footprint(heap);
    drop(records);
    keys_drop();
    return n > 0 ? 0 : -1;
}

static void service(wl_t *w, const service_size_t *sz, int mode) {
    if (fresh_heap() != 0) return;
    rng = 2463534242u;
    if (mode != SV_GC) tp_gc_disable();
    w->live = sz->live;
    w->base = sz->base;
    w->units_full = sz->records;
    size_t stw_limit = tp_heap_capacity(heap) / 4u * 3u;
    cur = w;
    keys_make();
    tp_obj_t *records = new_list();
    uint32_t count = 0, serial = 0, lo = sz->records - sz->records / 4u;
    int shrinking = 0;
    /* grow to R records (a bounded number of tries: allocations may fail),
     * then shrink to 3/4 and grow back, SERVICE_ITERS times */
    uint32_t grow_tries = sz->records * 2u;
    for (uint32_t i = 0; records != NULL && i < grow_tries + SERVICE_ITERS; i++) {
        int growing = count < sz->records && i < grow_tries;
        if (!growing && i < grow_tries) i = grow_tries; /* grown: the steady state */
        cycle(i, mode == SV_RC);
        if (!growing && count > 0) {
            tp_obj_t *r = record(serial++);
            if (r != NULL) (void)list_set(records, next_rand() % count, r);
            drop(r);
        }
        if (!growing && shrinking) {
            if (count > 0 && list_del(records, next_rand() % count) == 0) count--;
            if (count <= lo) shrinking = 0;
        } else {
            tp_obj_t *r = record(serial++);
            if (r != NULL && list_append(records, r) == 0) count++;
            drop(r);
            if (count >= sz->records) shrinking = 1;
        }
        w->units = count;
        if (mode == SV_STW && tp_heap_footprint(heap) > stw_limit) collect();
    }
    drop(records);
    w->units = 0;
    keys_drop();
    cur = NULL;
}

/* ---- droplist ---- */

/* A list of n lists of two ints (ints outside the small-int cache). */
static tp_obj_t *list_of_lists(uint32_t n, uint32_t *built) {
    tp_obj_t *outer = new_list();
    *built = 0;
    for (uint32_t i = 0; outer != NULL && i < n; i++) {
        tp_obj_t *inner = new_list();
        if (inner == NULL) break;
        for (uint32_t j = 0; j < 2u; j++) {
            tp_obj_t *v = new_int((int32_t)(1000u + 2u * i + j));
            if (v != NULL) (void)list_append(inner, v);
            drop(v);
        }
        int ok = list_append(outer, inner) == 0;
        drop(inner);
        if (!ok) break;
        (*built)++;
        if (cur != NULL) cur->units = *built;
    }
    return outer;
}

/* On a fresh heap, collector off: the footprint before and with n lists
 * (n = 0: as many as fit; *n is set to that). */
static int droplist_calibrate(uint32_t *n, size_t *base, size_t *live) {
    if (fresh_heap() != 0) return -1;
    cur = NULL;
    tp_gc_disable();
    *base = tp_heap_footprint(heap);
    uint32_t built;
    tp_obj_t *l = list_of_lists(*n == 0 ? UINT32_MAX : *n, &built);
    (void)tp_gc_collect(2);
    *live = tp_heap_footprint(heap);
    if (*n == 0) *n = built;
    drop(l);
    return built == *n ? 0 : -1;
}

typedef struct {
    uint32_t n;
    uint32_t in_collection;   /* a collection was in progress when the list was dropped */
    uint32_t decref_call, decref_pause;
    uint32_t pending_after;   /* deaths left pending by the decref */
    uint32_t drain_calls, drain_call_max, drain_pause_max;
} droplist_t;

#define DRAIN_CALLS_MAX 100000u

/* A call made while the dropped lists were not all freed: returns 1 once
 * they are (no death pending, and no list alive but the `alive` the drain
 * holds: a list of a collection's set that died waits for the collection as
 * a husk, counted alive and not pending). */
static int drain_call(droplist_t *dl, const wl_t *w, uint32_t alive) {
    dl->drain_calls++;
    if (w->last_whole > dl->drain_call_max) dl->drain_call_max = w->last_whole;
    if (w->last_mm > dl->drain_pause_max) dl->drain_pause_max = w->last_mm;
    return pending() == 0 && tp_list_type.live_objects <= alive;
}

static void droplist(wl_t *w, droplist_t *dl, size_t base, size_t live) {
    if (fresh_heap() != 0) return;
    w->live = live;
    w->base = base;
    w->units_full = dl->n;
    cur = w;
    uint32_t built;
    tp_obj_t *l = list_of_lists(dl->n, &built);
    w->units = 0; /* dropped now */
    dl->in_collection = (uint32_t)tp_gc_in_progress();
    drop(l);
    dl->decref_call = w->last_whole;
    dl->decref_pause = w->last_mm;
    dl->pending_after = pending();
    int done = dl->pending_after == 0 && tp_list_type.live_objects == 0;
    /* small lists made and dropped: each call a safe point or a last decref */
    while (!done && dl->drain_calls < DRAIN_CALLS_MAX) {
        tp_obj_t *x = new_list();
        done = drain_call(dl, w, x != NULL);
        if (x != NULL) {
            drop(x);
            if (!done) done = drain_call(dl, w, 0);
        }
    }
    if (!done)
        tp_printf("WARNING %s: not all freed after %u calls\n", w->name, (unsigned)dl->drain_calls);
    cur = NULL;
}

/* ---- running and reporting ---- */

static struct {
    uint32_t pause_max, pacing_failures, failed_allocs, mmu[NWIN];
    const char *pause_where;
} total = {0, 0, 0, {10000u, 10000u}, ""};

static void begin(wl_t *w, const char *name, int program) {
    memset(w, 0, sizeof *w);
    w->name = name;
    w->program = program;
    mmu_reset();
    pr.merged = 0;
}

/* After the workload: its stats, then a full collection (not counted) must
 * leave nothing but the layer's own. */
static void end(wl_t *w) {
    tp_gc_get_run_stats(&w->rs);
    tp_heap_stats_t st;
    tp_heap_stats(heap, &st);
    w->heap_fails = st.fail_count;
    w->peak_hw = st.footprint_peak;
    mmu_finish(w->timeline, w->mmu);
    w->mmu_lost = mmu.lost;
    if (pr.merged != 0)
        tp_printf("NOTE %s: %u slices merged (more than %u in one call)\n", w->name,
                  (unsigned)pr.merged, SLICES_MAX);
    if (mmu.lost != 0)
        tp_printf("WARNING %s: %u MMU windows reached past the ring of %u slices\n", w->name,
                  (unsigned)mmu.lost, RING);
    if (w->timeline_full)
        tp_printf("WARNING %s: the run is too long for the 32-bit timeline: MMU wrong\n", w->name);
    (void)tp_gc_collect(2);
    tp_objects_trim();
    if (heap_used() != fresh_used)
        tp_printf("ERROR program bench: %s: %u bytes left after a full collection\n", w->name,
                  (unsigned)(heap_used() - fresh_used));
    if (w->rs.errors != 0)
        tp_printf("ERROR program bench: %s: %u collector errors\n", w->name,
                  (unsigned)w->rs.errors);
    if (w->program) {
        if (w->pause_max > total.pause_max) {
            total.pause_max = w->pause_max;
            total.pause_where = w->name;
        }
        total.pacing_failures += w->rs.pacing_failures;
        total.failed_allocs += w->heap_fails;
        for (int i = 0; i < NWIN; i++)
            if (w->mmu[i] < total.mmu[i]) total.mmu[i] = w->mmu[i];
    }
}

/* num/den with two decimals. */
static void fixed2(char *buf, size_t size, uint64_t num, uint64_t den) {
    if (den == 0) den = 1;
    uint64_t x = (num * 100u + den / 2u) / den;
    (void)tp_snprintf(buf, size, "%llu.%02llu", (unsigned long long)(x / 100u),
                      (unsigned long long)(x % 100u));
}

static void bench_u(const char *key, const char *name, uint64_t v) {
    tp_printf("BENCH gc.%s.%s %llu\n", key, name, (unsigned long long)v);
}

static void bench_s(const char *key, const char *name, const char *v) {
    tp_printf("BENCH gc.%s.%s %s\n", key, name, v);
}

/* The runtime function behind a call, for people. */
static const char *fn_name(bench_fn_t fn) {
    static const struct {
        bench_fn_t fn;
        const char *name;
    } names[] = {
        {(bench_fn_t)tp_dict_new, "tp_dict_new"},     {(bench_fn_t)tp_list_new, "tp_list_new"},
        {(bench_fn_t)tp_int_new, "tp_int_new"},       {(bench_fn_t)tp_str_from, "tp_str_from"},
        {(bench_fn_t)tp_str_new, "tp_str_new"},       {(bench_fn_t)tp_instance_new, "tp_instance_new"},
        {(bench_fn_t)tp_list_append, "tp_list_append"}, {(bench_fn_t)tp_list_set, "tp_list_set"},
        {(bench_fn_t)tp_list_del, "tp_list_del"},     {(bench_fn_t)tp_dict_set, "tp_dict_set"},
        {(bench_fn_t)tp_setattr, "tp_setattr"},       {(bench_fn_t)decref_fn, "tp_decref"},
        {(bench_fn_t)tp_gc_collect, "tp_gc_collect"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].fn == fn) return names[i].name;
    return "?";
}

static void report_where(const wl_t *w) {
    const where_t *p = &w->pause_at;
    tp_printf("%-16s pause %u in %s (%s), collector phase %s after it, pending deaths %u -> %u, "
              "footprint %u -> %u; longest call %u in %s (%u of it memory management)\n",
              w->name, (unsigned)w->pause_max, fn_name(p->fn), kind_names[w->pause_kind],
              p->phase != NULL ? p->phase : "-", (unsigned)p->pending_before,
              (unsigned)p->pending_after, (unsigned)p->fp_before, (unsigned)p->fp_after,
              (unsigned)w->call_max, fn_name(w->call_max_fn), (unsigned)w->call_max_mm);
}

static void row_header(void) {
    tp_printf("%-16s %6s %6s %5s %6s %9s %6s %6s %6s %-6s %6s %6s %6s %6s %5s %4s %5s\n",
              "workload", "live", "peak", "p/l", "calls", "instr", "share%", "callmx", "pause",
              "(kind)", "alloc", "decref", "oom", "mmu10k", "100k", "pace", "fails");
}

static void report(const wl_t *w) {
    char pl[16], share[16], m10[16], m100[16];
    fixed2(pl, sizeof pl, w->peak, w->live);
    fixed2(share, sizeof share, w->mm * 100u, w->instr);
    fixed2(m10, sizeof m10, w->mmu[0], 100u);
    fixed2(m100, sizeof m100, w->mmu[1], 100u);
    tp_printf("%-16s %6u %6u %5s %6u %9llu %6s %6u %6u %-6s %6u %6u %6u %6s %5s %4u %5u\n",
              w->name, (unsigned)w->live, (unsigned)w->peak, pl, (unsigned)w->calls,
              (unsigned long long)w->instr, share, (unsigned)w->call_max,
              (unsigned)w->pause_max, kind_names[w->pause_kind], (unsigned)w->kind_max[0],
              (unsigned)w->kind_max[1], (unsigned)w->kind_max[2], m10, m100,
              (unsigned)w->rs.pacing_failures, (unsigned)w->heap_fails);
}

static void report_bench(const wl_t *w) {
    char b[16];
    bench_u("program_pause_max", w->name, w->pause_max);
    bench_u("program_call_max", w->name, w->call_max);
    for (int k = 0; k < KIND_COUNT; k++) {
        char key[32];
        (void)tp_snprintf(key, sizeof key, "program_pause_%s", kind_names[k]);
        bench_u(key, w->name, w->kind_max[k]);
    }
    bench_u("pacing_failures", w->name, w->rs.pacing_failures);
    bench_u("failed_allocs", w->name, w->heap_fails);
    bench_u("failed_calls", w->name, w->failed_calls);
    bench_u("oom_passes", w->name, w->rs.oom_passes);
    fixed2(b, sizeof b, w->mmu[0], 100u);
    bench_s("mmu_10k", w->name, b);
    fixed2(b, sizeof b, w->mmu[1], 100u);
    bench_s("mmu_100k", w->name, b);
    bench_u("mmu_lost", w->name, w->mmu_lost);
    fixed2(b, sizeof b, w->peak, w->live);
    bench_s("peak_over_live", w->name, b);
    /* the collector's own work: its steps less the freeing of what died in
     * them (refcounting pays that for acyclic garbage); the steps in all;
     * all memory management */
    uint64_t own = w->coll > w->freeing ? w->coll - w->freeing : 0u;
    fixed2(b, sizeof b, own * 100u, w->instr);
    bench_s("collector_share", w->name, b);
    fixed2(b, sizeof b, w->coll * 100u, w->instr);
    bench_s("collector_steps_share", w->name, b);
    fixed2(b, sizeof b, w->mm * 100u, w->instr);
    bench_s("mm_share", w->name, b);
    bench_u("floating_garbage", w->name, w->floating);
    bench_u("live_bytes", w->name, w->live);
    bench_u("peak_footprint", w->name, w->peak);
    bench_u("peak_footprint_hw", w->name, w->peak_hw);
    bench_u("calls", w->name, w->calls);
    bench_u("instructions", w->name, w->instr);
    bench_u("mm_instructions", w->name, w->mm);
    bench_u("collections", w->name, w->collections_ended);
    bench_u("full_starts", w->name, w->rs.full_starts);
    bench_u("young_starts", w->name, w->rs.young_starts);
    bench_u("max_work_alloc", w->name, w->rs.max_work_alloc);
    bench_u("max_work_decref", w->name, w->rs.max_work_decref);
    bench_u("max_work_oom", w->name, w->rs.max_work_oom);
}

/* The probe's cost, measured as the collector calls it (through a pointer,
 * a begin/end pair around no work) inside a timed call: the instructions a
 * pair adds to a call, those of them inside the slice, and where in the
 * call the first slice starts (from the TIM2 read before the call). */
static void (*volatile probe_ptr)(int, int, void *) = probe;

static void calib_pair(void) {
    probe_ptr(TP_GC_WORK_ALLOC, 1, NULL);
    probe_ptr(TP_GC_WORK_ALLOC, 0, NULL);
}

static void calibrate_probe(void) {
    uint32_t best = UINT32_MAX, inner = 0, lead = 0;
    for (int i = 0; i < 4; i++) {
        uintptr_t r0;
        pr.inner = 0;
        pr.n = 0;
        pr.pairs = 0;
        pr.in_call = 1;
        pr.rbase = TIM2_CNT;
        uint32_t t = bench_timed_call3((bench_fn_t)calib_pair, 0, 0, 0, &r0);
        pr.in_call = 0;
        if (pr.n == 1u && t < best) {
            best = t;
            inner = pr.s[0].dur;
            lead = pr.s[0].t0 - pr.rbase;
        }
    }
    pr.inner = inner;
    pr.lead = lead;
    pr.pair = best != UINT32_MAX && best > overhead ? best - overhead : 0u;
    pr.n = 0;
    pr.pairs = 0;
}

/* Then end to end: the same calls with the probe and without it (the
 * collector does the same work either way, and the calls' times differ only
 * by the probe); the difference per pair corrects the estimate (the
 * collector's call sites cost a little less with no probe set than the
 * measuring function's). */
static void calibrate_probe_calls(void) {
    wl_t cal[2];
    for (int k = 0; k < 2; k++) {
        begin(&cal[k], "calibration", 0);
        if (fresh_heap() != 0) return;
        if (k == 1) tp_gc_set_probe(NULL, NULL);
        cur = &cal[k];
        rng = 1u;
        keys_make();
        for (uint32_t i = 0; i < 300u; i++) {
            cycle(i, 0);
            drop(record(i));
        }
        keys_drop();
        cur = NULL;
    }
    if (cal[0].pairs == 0 || cal[1].pairs != 0 || cal[0].calls != cal[1].calls) {
        tp_printf("WARNING the probe's cost could not be checked end to end\n");
        return;
    }
    int64_t extra = ((int64_t)cal[0].instr - (int64_t)cal[1].instr) / (int64_t)cal[0].pairs;
    int64_t pair = (int64_t)pr.pair + extra;
    pr.pair = pair > (int64_t)pr.inner ? (uint32_t)pair : pr.inner;
}

#define MAX_WL 9
static wl_t results[MAX_WL]; /* reported together at the end */
static droplist_t drops[3];

int main(void) {
    tim2_start();
    uintptr_t r0;
    overhead = bench_timed_call3((bench_fn_t)bench_empty, 0, 0, 0, &r0);
    uint32_t nop = bench_timed_call3((bench_fn_t)bench_nop100, 0, 0, 0, &r0) - overhead;

    calibrate_probe();
    calibrate_probe_calls();
    tp_gc_pacing_t pacing = {0, 0, 0, 0};
    if (fresh_heap() == 0) tp_gc_get_pacing(&pacing);
    tp_printf("# program-level benchmark (netduinoplus2, TIM2 = guest instructions; 100 NOPs = "
              "%u), heap %u bytes (capacity %u); pacing: full trigger %u %%, young %u permille, %u units/KiB, "
              "%u units per call; the probe's %u instructions per slice (%u inside it) taken out\n",
              (unsigned)nop, (unsigned)ARENA_BYTES,
              (unsigned)(heap != NULL ? tp_heap_capacity(heap) : 0u), pacing.full_trigger_pct,
              pacing.young_permille, pacing.work_per_kib, pacing.call_work,
              (unsigned)pr.pair, (unsigned)pr.inner);
    if (nop != 100u) tp_printf("WARNING the timer does not count one per instruction\n");

    unsigned nres = 0;
    static const unsigned service_kib[] = {8, 32, 56, 80};
    static const char *const service_names[] = {"service_8k", "service_32k", "service_56k",
                                                "service_80k"};
    service_size_t sz32 = {0, 0, 0};
    for (unsigned i = 0; i < 4u; i++) {
        service_size_t sz;
        if (service_calibrate(service_kib[i], &sz) != 0) {
            tp_printf("ERROR program bench: %s: cannot build the live set\n", service_names[i]);
            continue;
        }
        if (service_kib[i] == 32u) sz32 = sz;
        wl_t *w = &results[nres++];
        begin(w, service_names[i], 1);
        service(w, &sz, SV_GC);
        end(w);
    }

    /* droplist: 256, 1024 and the most that fits (15/16 of what fills it) */
    uint32_t fill = 0;
    size_t base, live;
    (void)droplist_calibrate(&fill, &base, &live);
    uint32_t biggest = fill - fill / 16u;
    biggest -= biggest % 64u;
    const uint32_t dl_n[3] = {256u, 1024u, biggest};
    static char dl_names[3][24];
    unsigned ndl = 0;
    for (unsigned i = 0; i < 3u; i++) {
        if (dl_n[i] == 0 || (i > 0 && dl_n[i] <= dl_n[i - 1])) continue;
        uint32_t n = dl_n[i];
        if (droplist_calibrate(&n, &base, &live) != 0) {
            tp_printf("ERROR program bench: droplist_%u does not fit\n", (unsigned)n);
            continue;
        }
        (void)tp_snprintf(dl_names[ndl], sizeof dl_names[ndl], "droplist_%u", (unsigned)n);
        droplist_t *dl = &drops[ndl];
        memset(dl, 0, sizeof *dl);
        dl->n = n;
        wl_t *w = &results[nres++];
        begin(w, dl_names[ndl], 1);
        droplist(w, dl, base, live);
        end(w);
        ndl++;
    }

    /* the baselines, at 32 KiB */
    if (sz32.records > 0) {
        wl_t *w = &results[nres++];
        begin(w, "service_rc_32k", 0);
        service(w, &sz32, SV_RC);
        end(w);
        w = &results[nres++];
        begin(w, "service_stw_32k", 0);
        service(w, &sz32, SV_STW);
        end(w);
    }

    /* ---- the table ---- */
    tp_printf("\nper call into the runtime (instructions; pause = memory management inside one "
              "call, by kind the longest of each; mmu in %%; pace = pacing failures, fails = "
              "failed allocations):\n");
    row_header();
    for (unsigned i = 0; i < nres; i++) report(&results[i]);
    tp_printf("\nwhere each workload's longest pause happened:\n");
    for (unsigned i = 0; i < nres; i++) report_where(&results[i]);
    tp_printf("\ndroplist: one decref of a list of N lists of two ints, then small lists made "
              "and dropped until every dropped list is freed:\n");
    tp_printf("%-16s %6s %5s %10s %8s %8s %8s %10s %10s\n", "workload", "N", "in gc", "decref",
              "(mm)", "pending", "drain", "drain call", "drain mm");
    for (unsigned i = 0; i < ndl; i++) {
        const droplist_t *dl = &drops[i];
        tp_printf("%-16s %6u %5s %10u %8u %8u %8u %10u %10u\n", dl_names[i], (unsigned)dl->n,
                  dl->in_collection ? "yes" : "no", (unsigned)dl->decref_call,
                  (unsigned)dl->decref_pause,
                  (unsigned)dl->pending_after, (unsigned)dl->drain_calls,
                  (unsigned)dl->drain_call_max, (unsigned)dl->drain_pause_max);
    }
    char m10[16], m100[16];
    fixed2(m10, sizeof m10, total.mmu[0], 100u);
    fixed2(m100, sizeof m100, total.mmu[1], 100u);
    tp_printf("\nprogram workloads: longest pause %u instructions (%s), pacing failures %u, "
              "failed allocations %u, MMU 10k %s %%, 100k %s %%; thread stack used %u of %u "
              "bytes\n\n",
              (unsigned)total.pause_max, total.pause_where, (unsigned)total.pacing_failures,
              (unsigned)total.failed_allocs, m10, m100, (unsigned)tp_stack_high_water(),
              (unsigned)tp_stack_size());

    /* ---- BENCH lines ---- */
    tp_printf("BENCH gc.program_pause_max %u\n", (unsigned)total.pause_max);
    tp_printf("BENCH gc.pacing_failures %u\n", (unsigned)total.pacing_failures);
    tp_printf("BENCH gc.failed_allocs %u\n", (unsigned)total.failed_allocs);
    tp_printf("BENCH gc.mmu_10k %s\n", m10);
    tp_printf("BENCH gc.mmu_100k %s\n", m100);
    for (unsigned i = 0; i < nres; i++) report_bench(&results[i]);
    for (unsigned i = 0; i < ndl; i++) {
        char key[40];
        const droplist_t *dl = &drops[i];
        const char *n = dl_names[i] + sizeof "droplist";
        (void)tp_snprintf(key, sizeof key, "droplist.%s", n);
        bench_u(key, "decref_pause", dl->decref_pause);
        bench_u(key, "decref_call", dl->decref_call);
        bench_u(key, "pending_after", dl->pending_after);
        bench_u(key, "in_collection", dl->in_collection);
        bench_u(key, "drain_calls", dl->drain_calls);
        bench_u(key, "drain_call_max", dl->drain_call_max);
        bench_u(key, "drain_pause_max", dl->drain_pause_max);
    }
    return 0;
}
