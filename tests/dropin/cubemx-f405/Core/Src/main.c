/* SPDX-License-Identifier: MIT
 * main.c - a CubeMX-style application with tidepool's allocator dropped in
 * (docs/dropin.md): the project keeps its start-up file, linker script,
 * syscalls.c and sysmem.c; malloc, free, printf's buffers and newlib's
 * _malloc_r now come from tidepool.  Exits 0 when every check holds. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_alloc.h"
#include "tp_libc_malloc.h"

extern unsigned sbrk_calls;
/* defined only when newlib-nano's own malloc is linked */
extern char __malloc_free_list __attribute__((weak));

static int failures;

static void check(int ok, const char *what)
{
  printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok)
    failures++;
}

void SystemInit(void);
void SystemInit(void)
{
  /* the FPU on: the project is built with -mfloat-abi=hard */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
}

/* The lock a project chooses (TP_PORT_LOCK, docs/dropin.md): the drop-in
 * must take it around every heap operation. */
static unsigned lock_calls;
#if TP_PORT_LOCK == TP_PORT_LOCK_HOOK
/* an RTOS would enter its critical section or take a recursive mutex here */
uint32_t tp_lock_enter(void)
{
  uint32_t primask;
  __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
  lock_calls++;
  return primask;
}
void tp_lock_exit(uint32_t state)
{
  __asm volatile("msr primask, %0" ::"r"(state) : "memory");
}
#elif TP_PORT_LOCK == TP_PORT_LOCK_NEWLIB
/* the project's (or its RTOS port's) newlib malloc lock */
struct _reent;
void __malloc_lock(struct _reent *r)
{
  (void)r;
  lock_calls++;
}
void __malloc_unlock(struct _reent *r) { (void)r; }
#else
static const unsigned lock_calls_irq = 1; /* masking: nothing to count */
#endif

static size_t st_heap_size(tp_heap_t *h)
{
  tp_heap_stats_t st;
  tp_heap_stats(h, &st);
  return st.heap_size;
}

static unsigned errors_seen;
static void count_error(const tp_alloc_error_t *e, void *ctx)
{
  (void)e;
  (void)ctx;
  errors_seen++;
}

int main(void)
{
  printf("cubemx-style project, tidepool's malloc\n");
  char *a = malloc(100);
  char *b = calloc(10, 30);
  check(a != NULL && b != NULL, "malloc and calloc");
  tp_heap_t *heap = tp_malloc_heap();
  check(heap != NULL && tp_heap_usable_size(heap, a) >= 100, "the blocks are tidepool's");
  strcpy(a, "grown by realloc");
  a = realloc(a, 4000);
  check(a != NULL && strcmp(a, "grown by realloc") == 0, "realloc keeps the contents");
  void *p = NULL;
  check(posix_memalign(&p, 64, 256) == 0 && ((uintptr_t)p & 63u) == 0, "posix_memalign");
  free(p);
  free(b);
  free(a);

  /* a double free is reported, and changes nothing */
  tp_heap_set_error_hook(heap, count_error, NULL);
  char *volatile c = malloc(48); /* (volatile: the compiler keeps both frees) */
  free(c);
  free(c);
  check(errors_seen == 1, "a double free is reported");
  check(tp_heap_validate(heap) == 0, "the heap is intact");

  struct mallinfo mi = mallinfo();
  check(mi.arena == st_heap_size(heap) && mi.fordblks > 0, "mallinfo reports tidepool's heap");
  check(&__malloc_free_list == NULL, "newlib's malloc is not linked");
#if TP_PORT_LOCK == TP_PORT_LOCK_IRQ
  lock_calls = lock_calls_irq;
#endif
  printf("lock: %s\n", TP_PORT_LOCK == TP_PORT_LOCK_HOOK     ? "the project's hook"
                       : TP_PORT_LOCK == TP_PORT_LOCK_NEWLIB ? "newlib's __malloc_lock"
                                                             : "interrupt masking");
  check(lock_calls > 0, "the lock chosen is taken");
  check(sbrk_calls == 0, "the project's _sbrk is never called");
  tp_heap_stats_t st;
  tp_heap_stats(heap, &st);
  check(st.heap_size > 100u * 1024u, "the heap is what the linker script leaves free");
  printf("%s\n", failures ? "dropin: FAILED" : "dropin: all checks passed");
  return failures;
}
