// SPDX-License-Identifier: MIT
/*
 * semihost.c - semihosting calls: console writes, host files and exit.
 */
#include "semihost.h"

#include <string.h>

uintptr_t tp_semihost_call(uint32_t op, const void *arg) {
    register uintptr_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

int tp_hostfile_open(const char *name, int mode) {
    uintptr_t block[3] = {(uintptr_t)name, (uintptr_t)mode, strlen(name)};
    intptr_t h = (intptr_t)tp_semihost_call(SH_SYS_OPEN, block);
    return h < 0 ? -1 : (int)h;
}

int tp_hostfile_write(int handle, const void *buf, size_t len) {
    uintptr_t block[3] = {(uintptr_t)handle, (uintptr_t)buf, len};
    /* SYS_WRITE returns the number of bytes NOT written. */
    uintptr_t left = tp_semihost_call(SH_SYS_WRITE, block);
    return left == 0 ? (int)len : -1;
}

int tp_hostfile_read(int handle, void *buf, size_t len) {
    uintptr_t block[3] = {(uintptr_t)handle, (uintptr_t)buf, len};
    uintptr_t left = tp_semihost_call(SH_SYS_READ, block);
    if (left > len) return -1;
    return (int)(len - left);
}

long tp_hostfile_length(int handle) {
    uintptr_t block[1] = {(uintptr_t)handle};
    return (long)(intptr_t)tp_semihost_call(SH_SYS_FLEN, block);
}

int tp_hostfile_close(int handle) {
    uintptr_t block[1] = {(uintptr_t)handle};
    return (int)(intptr_t)tp_semihost_call(SH_SYS_CLOSE, block);
}

int tp_hostfile_remove(const char *name) {
    uintptr_t block[2] = {(uintptr_t)name, strlen(name)};
    return (int)(intptr_t)tp_semihost_call(SH_SYS_REMOVE, block);
}

int tp_semihost_cmdline(char *buf, size_t size) {
    if (buf == NULL || size == 0) return -1;
    uintptr_t block[2] = {(uintptr_t)buf, size};
    if (tp_semihost_call(SH_SYS_GET_CMDLINE, block) != 0) return -1;
    buf[block[1] < size ? block[1] : size - 1u] = 0;
    return (int)block[1];
}

void tp_semihost_exit(int status) {
    /* SYS_EXIT_EXTENDED carries a full exit status to QEMU's shell. */
    uintptr_t block[2] = {SH_ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)(uint32_t)status};
    tp_semihost_call(SH_SYS_EXIT_EXTENDED, block);
    /* A debugger may resume us: stay put. */
    for (;;) {
        __asm volatile("wfi");
    }
}
