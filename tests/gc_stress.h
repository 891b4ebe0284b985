// SPDX-License-Identifier: MIT
/*
 * gc_stress.h - the collector's mutation stress test against a shadow model
 * (tests/gc_stress.c).  Needs tp_gc_init and tt_register done.
 */
#ifndef TESTS_GC_STRESS_H
#define TESTS_GC_STRESS_H

#include <stdint.h>

#include <stddef.h>

/* Runs `ops` random operations from `seed` on at most `maxobj` objects;
 * returns the violations found (the first is printed through tp_test_log).
 * The model takes gc_stress_bytes(maxobj) bytes from malloc while it runs. */
unsigned gc_stress_run(uint32_t seed, uint32_t ops, int maxobj);
size_t gc_stress_bytes(int maxobj);
/* Operations of the last run after which deaths were pending (not yet
 * freed: the collector frees a budget at a time). */
extern unsigned gc_stress_pending_seen;

#endif /* TESTS_GC_STRESS_H */
