// SPDX-License-Identifier: MIT
/*
 * test_newlib.c - the newlib-nano glue: malloc is tidepool's (sbrk refuses),
 * stdio through _write, the kernel's malloc lock, and the stub system calls.
 *
 *@expect-output ^newlib printf: 42 ok$
 *@expect-output ^newlib stderr: 7$
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cortexm.h"
#include "memmap.h"
#include "stack.h"
#include "tests/harness.h"

#define ADDR(sym) ((uintptr_t)(sym))

/* In one of the heap regions (the main heap, CCM, PSRAM)? */
static int in_heap(const void *p, size_t n) {
    tp_region_t regions[TP_MAX_HEAP_REGIONS];
    size_t count = tp_heap_regions(regions);
    for (size_t i = 0; i < count; i++)
        if (ADDR(p) >= regions[i].start && ADDR(p) + n <= regions[i].end) return 1;
    return 0;
}

void *_sbrk(ptrdiff_t increment);
int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
off_t _lseek(int fd, off_t offset, int whence);
int _open(const char *path, int flags, int mode);
int _kill(int pid, int sig);
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);
uint32_t tp_malloc_lock_depth(void);

static void test_sbrk_refuses_the_heap_is_the_allocators(void) {
    /* tidepool's allocator owns the heap region: sbrk must not hand it out again */
    errno = 0;
    TP_CHECK(_sbrk(16) == (void *)-1);
    TP_CHECK_EQ(errno, ENOMEM);
    errno = 0;
    TP_CHECK(_sbrk(0) == (void *)-1);
    TP_CHECK_EQ(errno, ENOMEM);
}

static void test_malloc_comes_from_heap(void) {
    char *p = malloc(100);
    TP_CHECK(p != NULL);
    TP_CHECK(in_heap(p, 100));
    TP_CHECK_EQ(ADDR(p) % 8u, 0);
    free(p);
}

static void test_malloc_exhaustion_is_clean(void) {
    tp_region_t regions[TP_MAX_HEAP_REGIONS];
    size_t nreg = tp_heap_regions(regions), heap = 0;
    for (size_t i = 0; i < nreg; i++) heap += regions[i].end - regions[i].start;
    errno = 0;
    TP_CHECK(malloc(heap + 1u) == NULL);
    TP_CHECK_EQ(errno, ENOMEM);

    /* fill the heap with 256-byte blocks until malloc says no */
    enum { CHUNK = 256 };
    void *head = NULL;
    size_t got = 0;
    for (;;) {
        void **p = malloc(CHUNK);
        if (p == NULL) break;
        TP_CHECK(in_heap(p, CHUNK));
        *p = head;
        head = p;
        got += CHUNK;
    }
    TP_CHECK(got >= heap / 2u); /* most of the heap was usable */
    TP_CHECK(got <= heap);
    /* the stacks above the heap are untouched */
    TP_CHECK_EQ(tp_stack_check(), 0);
    TP_CHECK(tp_handler_stack_high_water() < tp_handler_stack_size());
    while (head != NULL) {
        void *next = *(void **)head;
        free(head);
        head = next;
    }
    void *again = malloc(CHUNK);
    TP_CHECK(again != NULL);
    free(again);
}

static void test_malloc_lock_masks_and_nests(void) {
    TP_CHECK_EQ(tp_malloc_lock_depth(), 0);
    TP_CHECK_EQ(tp_get_primask() & 1u, 0);
    __malloc_lock(NULL);
    TP_CHECK_EQ(tp_get_primask() & 1u, 1u);
    __malloc_lock(NULL);
    TP_CHECK_EQ(tp_malloc_lock_depth(), 2u);
    __malloc_unlock(NULL);
    TP_CHECK_EQ(tp_get_primask() & 1u, 1u); /* still held once */
    __malloc_unlock(NULL);
    TP_CHECK_EQ(tp_get_primask() & 1u, 0);
    TP_CHECK_EQ(tp_malloc_lock_depth(), 0);
    void *p = malloc(40);
    free(p);
    TP_CHECK_EQ(tp_malloc_lock_depth(), 0); /* malloc/free released it */
    TP_CHECK_EQ(tp_get_primask() & 1u, 0);
}

static void test_stdio_reaches_console(void) {
    TP_CHECK_EQ(printf("newlib printf: %d %s\n", 42, "ok"), strlen("newlib printf: 42 ok\n"));
    TP_CHECK_EQ(fflush(stdout), 0);
    TP_CHECK_EQ(fprintf(stderr, "newlib stderr: %d\n", 7), strlen("newlib stderr: 7\n"));
}

static void test_syscall_stubs_fail_cleanly(void) {
    errno = 0;
    TP_CHECK_EQ(_write(5, "x", 1), -1);
    TP_CHECK_EQ(errno, EBADF);
    TP_CHECK_EQ(_write(1, "", 0), 0);
    char c;
    TP_CHECK_EQ(_read(0, &c, 1), 0); /* no input: end of file */
    TP_CHECK_EQ(_isatty(1), 1);
    TP_CHECK_EQ(_isatty(9), 0);
    struct stat st;
    TP_CHECK_EQ(_fstat(1, &st), 0);
    TP_CHECK(S_ISCHR(st.st_mode));
    errno = 0;
    TP_CHECK_EQ(_lseek(1, 0, SEEK_SET), -1);
    TP_CHECK_EQ(errno, ESPIPE);
    errno = 0;
    TP_CHECK_EQ(_open("/x", 0, 0), -1);
    TP_CHECK_EQ(errno, ENOSYS);
    TP_CHECK(fopen("somefile", "r") == NULL);
    errno = 0;
    TP_CHECK_EQ(_kill(1, 9), -1);
    TP_CHECK_EQ(errno, EINVAL);
}

static const tp_test_case cases[] = {
    TP_CASE(test_sbrk_refuses_the_heap_is_the_allocators),
    TP_CASE(test_malloc_comes_from_heap),
    TP_CASE(test_malloc_exhaustion_is_clean),
    TP_CASE(test_malloc_lock_masks_and_nests),
    TP_CASE(test_stdio_reaches_console),
    TP_CASE(test_syscall_stubs_fail_cleanly),
};

int main(void) { return tp_test_main("newlib", cases, TP_COUNT(cases)); }
