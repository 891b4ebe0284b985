// SPDX-License-Identifier: MIT
/*
 * syscalls.c - the system calls newlib-nano expects, for a bare-metal image.
 *
 *   _sbrk        bounded by the linker's heap region: ENOMEM past its end,
 *                never into the stacks above it (weak: with tidepool's
 *                allocator linked, sbrk always refuses)
 *   _write       fd 1 and 2 go to the console; other descriptors are EBADF
 *   _read        fd 0 reads end-of-file (no input device)
 *   __malloc_lock/__malloc_unlock
 *                a recursive lock made of a critical section, so newlib's
 *                malloc is safe against interrupt handlers that also allocate
 *   the rest     safe stubs that fail with a proper errno
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "console.h"
#include "critical.h"
#include "memmap.h"

struct _reent;

/* The hooks newlib calls (it declares none of them in a public header). */
void *_sbrk(ptrdiff_t increment);
int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
off_t _lseek(int fd, off_t offset, int whence);
int _open(const char *path, int flags, int mode);
int _kill(int pid, int sig);
int _getpid(void);
int _unlink(const char *path);
int _link(const char *a, const char *b);
int _gettimeofday(void *tv, void *tz);
int _times(void *buf);
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);
uint32_t tp_malloc_lock_depth(void);

static char *heap_break = NULL;

/* Weak: an image that links libc/libc_malloc.c gets its _sbrk, which
 * refuses - the heap belongs to tidepool's allocator. */
__attribute__((weak)) void *_sbrk(ptrdiff_t increment) {
    tp_irqstate_t s = tp_critical_enter();
    if (heap_break == NULL) heap_break = __heap_start;
    char *old = heap_break;
    ptrdiff_t room_up = (ptrdiff_t)((uintptr_t)__heap_end - (uintptr_t)heap_break);
    ptrdiff_t room_down = (ptrdiff_t)((uintptr_t)heap_break - (uintptr_t)__heap_start);
    if ((increment > 0 && increment > room_up) || (increment < 0 && -increment > room_down)) {
        tp_critical_exit(s);
        errno = ENOMEM;
        return (void *)-1;
    }
    heap_break += increment;
    tp_critical_exit(s);
    return old;
}

int _write(int fd, const char *buf, int len) {
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    if (len < 0) {
        errno = EINVAL;
        return -1;
    }
    tp_console_write(buf, (size_t)len);
    if (fd == 2) tp_console_flush();
    return len;
}

int _read(int fd, char *buf, int len) {
    (void)buf;
    (void)len;
    if (fd == 0) return 0; /* no input device: end of file */
    errno = EBADF;
    return -1;
}

int _close(int fd) {
    if (fd >= 0 && fd <= 2) return 0;
    errno = EBADF;
    return -1;
}

int _fstat(int fd, struct stat *st) {
    if (fd >= 0 && fd <= 2) {
        st->st_mode = S_IFCHR;
        return 0;
    }
    errno = EBADF;
    return -1;
}

int _isatty(int fd) {
    if (fd >= 0 && fd <= 2) return 1;
    errno = EBADF;
    return 0;
}

off_t _lseek(int fd, off_t offset, int whence) {
    (void)fd;
    (void)offset;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

int _open(const char *path, int flags, int mode) {
    (void)path;
    (void)flags;
    (void)mode;
    errno = ENOSYS; /* host files: use tp_hostfile_open (semihost.h) */
    return -1;
}

int _kill(int pid, int sig) {
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void) { return 1; }

int _unlink(const char *path) {
    (void)path;
    errno = ENOSYS;
    return -1;
}

int _link(const char *a, const char *b) {
    (void)a;
    (void)b;
    errno = ENOSYS;
    return -1;
}

int _gettimeofday(void *tv, void *tz) {
    (void)tv;
    (void)tz;
    errno = ENOSYS;
    return -1;
}

int _times(void *buf) {
    (void)buf;
    errno = ENOSYS;
    return -1;
}

/* newlib's malloc may re-enter its lock (e.g. from within realloc). */
static uint32_t malloc_lock_depth;
static tp_irqstate_t malloc_lock_saved;

void __malloc_lock(struct _reent *r) {
    (void)r;
    tp_irqstate_t s = tp_critical_enter();
    if (malloc_lock_depth++ == 0) malloc_lock_saved = s;
}

void __malloc_unlock(struct _reent *r) {
    (void)r;
    if (--malloc_lock_depth == 0) tp_critical_exit(malloc_lock_saved);
}

uint32_t tp_malloc_lock_depth(void) { return malloc_lock_depth; }
