// SPDX-License-Identifier: MIT
/*
 * gc_stress.c - the mutation stress test: a random program (allocate, link,
 * unlink, pop to the program, insert at the front, reverse, drop, weak
 * references read and dropped, finalizers that resurrect) interleaved with
 * collector steps of random size at random points, checked against a shadow
 * model of the object graph:
 *   - after every operation, no object the model can reach from the
 *     program's references has been freed;
 *   - a weak reference reads as dead only when the model cannot reach its
 *     referent;
 *   - after a full collection, every object the model cannot reach is freed;
 *   - tp_heap_validate() holds (every 64 operations, and at the end).
 */
#include "tests/gc_stress.h"

#include <stdlib.h>
#include <string.h>

#include "tests/gc_types.h"
#include "tests/harness.h"

#define MAXEDGE 12
#define MAXROOT 48
#define MAXWEAK 12

enum { K_NODE, K_VEC, K_FNODE, K_LEAF };

typedef struct {
    tp_obj_t *p;
    uint8_t used;  /* the slot holds an object not yet freed */
    uint8_t kind;
    uint8_t nedge;
    uint8_t revived; /* made reachable again by a finalizer: weak references to it
                        may have been cleared (CPython clears them before finalizers) */
    int16_t edge[MAXEDGE]; /* node: [0] = a, [1] = b (-1: none); vec: items */
} mobj_t;

static mobj_t *obj;  /* the model: max_obj objects (malloc'd: small boards have little RAM) */
static int max_obj;       
static int16_t root[MAXROOT];
static int nroot;
static struct {
    tp_obj_t *wr;
    int16_t target;
} weak[MAXWEAK];
static int nweak;
static uint8_t *reach;
static uint32_t rng;
static unsigned violations;
static char first_violation[96];
static unsigned freed_reachable;
unsigned gc_stress_pending_seen;

static uint32_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static uint32_t below(uint32_t n) { return n == 0 ? 0 : next() % n; }

static void violation(const char *what, int id) {
    if (violations++ == 0) {
        size_t n = strlen(what);
        if (n > sizeof first_violation - 1u) n = sizeof first_violation - 1u;
        memcpy(first_violation, what, n);
        first_violation[n] = 0;
        tp_test_log("    stress: %s (object %d)\n", what, id);
    }
}

static int16_t *stack_buf;
static uint8_t *before_buf;

static void compute_reach(void) {
    int16_t *stack = stack_buf;
    int sp = 0;
    memset(reach, 0, (size_t)max_obj);
    for (int i = 0; i < nroot; i++) {
        int r = root[i];
        if (!reach[r]) {
            reach[r] = 1;
            stack[sp++] = (int16_t)r;
        }
    }
    while (sp > 0) {
        mobj_t *m = &obj[stack[--sp]];
        for (int e = 0; e < m->nedge; e++) {
            int t = m->edge[e];
            if (t >= 0 && !reach[t]) {
                reach[t] = 1;
                stack[sp++] = (int16_t)t;
            }
        }
    }
}

static void on_free(tp_obj_t *self) {
    int32_t id = tt_id(self);
    if (id < 0 || id >= max_obj || obj[id].p != self || !obj[id].used) {
        violation("freed an object the model does not know", (int)id);
        return;
    }
    if (reach[id]) freed_reachable++;
    obj[id].used = 0;
    for (int i = 0; i < nweak; i++)
        if (weak[i].target == id) weak[i].target = -1; /* the slot may be reused */
}

/* Finalizers resurrect half the time: the object becomes a program root. */
static void on_finalize(tp_obj_t *self) {
    int32_t id = tt_id(self);
    if (nroot < MAXROOT - 8 && (next() & 1u)) {
        uint8_t *before = before_buf;
        compute_reach();
        memcpy(before, reach, (size_t)max_obj);
        tp_incref(self);
        root[nroot++] = (int16_t)id;
        compute_reach();
        for (int i = 0; i < max_obj; i++)
            if (reach[i] && !before[i]) obj[i].revived = 1;
    }
}

static int free_slot(void) {
    for (int i = 0; i < max_obj; i++)
        if (!obj[i].used) return i;
    return -1;
}

/* A random object the program can reach; -1 if none. */
static int pick_reachable(int containers_only) {
    int n = 0;
    for (int i = 0; i < max_obj; i++)
        if (obj[i].used && reach[i] && (!containers_only || obj[i].kind != K_LEAF)) n++;
    if (n == 0) return -1;
    int k = (int)below((uint32_t)n);
    for (int i = 0; i < max_obj; i++)
        if (obj[i].used && reach[i] && (!containers_only || obj[i].kind != K_LEAF) && k-- == 0)
            return i;
    return -1;
}

static void op_new(void) {
    int s = free_slot();
    if (s < 0 || nroot >= MAXROOT) return;
    uint8_t kind = (uint8_t)below(4);
    tp_obj_t *p = kind == K_NODE    ? tt_node(s)
                  : kind == K_VEC   ? tt_vec_id(s)
                  : kind == K_FNODE ? tt_fnode(s)
                                    : tt_leaf(s);
    if (p == NULL) return;
    mobj_t *m = &obj[s];
    m->p = p;
    m->used = 1;
    m->kind = kind;
    m->revived = 0;
    m->nedge = (kind == K_NODE || kind == K_FNODE) ? 2 : 0;
    m->edge[0] = m->edge[1] = -1;
    if (nroot >= MAXROOT) { /* finalizers took the last root slots meanwhile */
        compute_reach();
        tp_decref(p);
        return;
    }
    root[nroot++] = (int16_t)s;
}

/* A chain of up to 12 nodes linked through `a`, held by its head: dropped,
 * it dies a budget at a time. */
static void op_chain(void) {
    if (nroot >= MAXROOT) return;
    int len = 2 + (int)below(11), prev = -1, head = -1;
    for (int k = 0; k < len; k++) {
        int s = free_slot();
        if (s < 0) break;
        tp_obj_t *p = tt_node(s);
        if (p == NULL) break;
        mobj_t *m = &obj[s];
        m->p = p;
        m->used = 1;
        m->kind = K_NODE;
        m->revived = 0;
        m->nedge = 2;
        m->edge[0] = m->edge[1] = -1;
        if (prev < 0) {
            head = s;
            root[nroot++] = (int16_t)s; /* the program's reference */
        } else {
            obj[prev].edge[0] = (int16_t)s;
            tt_set_a(obj[prev].p, p);
            tp_decref(p); /* held by its predecessor alone */
        }
        prev = s;
    }
    (void)head;
}

static void op_link(void) {
    int p = pick_reachable(1), q = pick_reachable(0);
    if (p < 0 || q < 0) return;
    mobj_t *m = &obj[p];
    if (m->kind == K_VEC) {
        if (m->nedge < MAXEDGE && below(3) != 0) {
            if (below(2)) {
                if (tt_vec_append(m->p, obj[q].p) != 0) return;
                m->edge[m->nedge++] = (int16_t)q;
            } else {
                if (tt_vec_insert(m->p, 0, obj[q].p) != 0) return;
                memmove(&m->edge[1], &m->edge[0], m->nedge * sizeof m->edge[0]);
                m->edge[0] = (int16_t)q;
                m->nedge++;
            }
        } else if (m->nedge > 0) {
            uint32_t i = below(m->nedge);
            m->edge[i] = (int16_t)q;
            compute_reach(); /* the replaced object may die now */
            (void)tt_vec_set(m->p, i, obj[q].p);
        }
    } else {
        int slot = (int)below(2);
        m->edge[slot] = (int16_t)q;
        compute_reach();
        if (slot == 0)
            tt_set_a(m->p, obj[q].p);
        else
            tt_set_b(m->p, obj[q].p);
    }
}

static void op_unlink(void) {
    int p = pick_reachable(1);
    if (p < 0) return;
    mobj_t *m = &obj[p];
    if (m->kind == K_VEC) {
        if (m->nedge == 0) return;
        uint32_t i = below(m->nedge);
        int16_t t = m->edge[i];
        int to_program = (int)below(2);
        memmove(&m->edge[i], &m->edge[i + 1u], (m->nedge - i - 1u) * sizeof m->edge[0]);
        m->nedge--;
        if (to_program && nroot < MAXROOT) {
            root[nroot++] = t;
            tp_obj_t *x = tt_vec_pop(m->p, i); /* the reference moves to the program */
            if (x != obj[t].p) violation("pop returned the wrong object", t);
        } else {
            compute_reach();
            (void)tt_vec_del(m->p, i);
        }
    } else {
        int slot = (int)below(2);
        m->edge[slot] = -1;
        compute_reach();
        if (slot == 0)
            tt_set_a(m->p, NULL);
        else
            tt_set_b(m->p, NULL);
    }
}

static void op_reverse(void) {
    int p = pick_reachable(1);
    if (p < 0 || obj[p].kind != K_VEC) return;
    mobj_t *m = &obj[p];
    tt_vec_reverse(m->p);
    for (int i = 0, j = m->nedge - 1; i < j; i++, j--) {
        int16_t t = m->edge[i];
        m->edge[i] = m->edge[j];
        m->edge[j] = t;
    }
}

static void op_drop(void) {
    if (nroot == 0) return;
    int i = (int)below((uint32_t)nroot);
    int id = root[i];
    root[i] = root[--nroot];
    compute_reach(); /* what dies now is allowed to */
    tp_decref(obj[id].p);
}

static void op_take(void) {
    int p = pick_reachable(1);
    if (p < 0 || nroot >= MAXROOT) return;
    mobj_t *m = &obj[p];
    if (m->nedge == 0) return;
    uint32_t i = below(m->nedge);
    int t = m->edge[i];
    if (t < 0) return;
    tp_obj_t *x = m->kind == K_VEC ? tt_vec_get(m->p, i) : (i == 0 ? tt_a(m->p) : NULL);
    if (x == NULL) return; /* node.b has no reader */
    if (x != obj[t].p) violation("container holds the wrong object", t);
    tp_incref(x); /* a borrowed reference made an owned one */
    root[nroot++] = (int16_t)t;
}

static void weak_cb(tp_obj_t *wr, tp_obj_t *arg) {
    (void)arg;
    tp_obj_t *r = tp_weakref_get(wr);
    if (r != NULL) {
        violation("weak reference callback saw its referent alive", -1);
        tp_decref(r);
    }
}

static void op_weak_new(void) {
    int q = pick_reachable(0);
    if (q < 0 || nweak >= MAXWEAK) return;
    tp_obj_t *wr = tp_weakref_new(obj[q].p, below(2) ? weak_cb : NULL, NULL);
    if (wr == NULL) return;
    weak[nweak].wr = wr;
    weak[nweak].target = (int16_t)q;
    nweak++;
}

static void weak_drop(int i) {
    tp_obj_t *wr = weak[i].wr;
    weak[i] = weak[--nweak];
    tp_decref(wr);
}

static void op_weak_read(void) {
    if (nweak == 0) return;
    int i = (int)below((uint32_t)nweak);
    int t = weak[i].target;
    tp_obj_t *r = tp_weakref_get(weak[i].wr);
    if (t < 0) {
        if (r != NULL) violation("weak reference to a freed object read alive", t);
        weak_drop(i);
        return;
    }
    if (r == NULL) {
        if (obj[t].used && reach[t] && !obj[t].revived) {
            violation("weak reference dead while reachable", t);
        }
        weak_drop(i);
        return;
    }
    if (!obj[t].used || obj[t].p != r) {
        violation("weak reference read a freed or wrong object", t);
        return;
    }
    if (nroot < MAXROOT) {
        root[nroot++] = (int16_t)t; /* reachable again, whatever it was */
    } else {
        tp_decref(r);
    }
}

static void check_reachable_alive(void) {
    compute_reach();
    for (int i = 0; i < max_obj; i++)
        if (reach[i] && !obj[i].used) violation("reachable object freed", i);
    if (freed_reachable) {
        violation("object freed while reachable", -1);
        freed_reachable = 0;
    }
}

static void full_collect_and_check(void) {
    (void)tp_gc_collect(2);
    compute_reach();
    for (int i = 0; i < max_obj; i++)
        if (obj[i].used && !reach[i]) violation("unreachable object survived a full collection", i);
}

size_t gc_stress_bytes(int maxobj) {
    return (size_t)maxobj * (sizeof(mobj_t) + 2u + sizeof(int16_t)) + 64u;
}

unsigned gc_stress_run(uint32_t seed, uint32_t ops, int maxobj) {
    max_obj = maxobj;
    obj = calloc((size_t)maxobj, sizeof *obj);
    reach = calloc((size_t)maxobj, 1);
    before_buf = calloc((size_t)maxobj, 1);
    stack_buf = calloc((size_t)maxobj, sizeof *stack_buf);
    if (obj == NULL || reach == NULL || before_buf == NULL || stack_buf == NULL) {
        violation("no memory for the model", -1);
        goto out;
    }
    nroot = nweak = 0;
    gc_stress_pending_seen = 0;
    rng = seed;
    violations = 0;
    freed_reachable = 0;
    tt_free_hook = on_free;
    tt_finalize_hook = on_finalize;
    for (uint32_t n = 0; n < ops && violations == 0; n++) {
        uint32_t r = below(100);
        if (r < 14) op_new();
        else if (r < 32) op_link();
        else if (r < 42) op_unlink();
        else if (r < 46) op_reverse();
        else if (r < 58) op_drop();
        else if (r < 64) op_take();
        else if (r < 68) op_weak_new();
        else if (r < 74) op_weak_read();
        else if (r < 76 && nweak > 0) weak_drop((int)below((uint32_t)nweak));
        else if (r < 78) op_chain();
        else if (r < 99) {
            if (!tp_gc_in_progress()) tp_gc_start((int)below(3));
            (void)tp_gc_step(8u + below(120));
        } else {
            full_collect_and_check();
        }
        check_reachable_alive();
        tp_gc_run_stats_t st;
        tp_gc_get_run_stats(&st);
        if (st.pending_objects > 0) gc_stress_pending_seen++;
        if ((n & 63u) == 0 && tp_heap_validate(tp_gc_heap()) != 0)
            violation("heap inconsistent", -1);
        if (free_slot() < 0 && violations == 0) full_collect_and_check();
    }
    /* everything dropped: a full collection leaves nothing */
    tt_finalize_hook = NULL;
    while (nweak > 0) weak_drop(nweak - 1);
    while (nroot > 0) {
        int id = root[--nroot];
        compute_reach();
        tp_decref(obj[id].p);
    }
    full_collect_and_check();
    for (int i = 0; i < max_obj; i++)
        if (obj[i].used) violation("object left after everything was dropped", i);
    if (tp_heap_validate(tp_gc_heap()) != 0) violation("heap inconsistent at the end", -1);
    tt_free_hook = NULL;
    tt_finalize_hook = NULL;
out:
    free(obj);
    free(reach);
    free(before_buf);
    free(stack_buf);
    obj = NULL;
    return violations;
}
