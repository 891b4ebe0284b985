// SPDX-License-Identifier: MIT
/*
 * semihost.h - ARM semihosting: the debugger (or QEMU with
 * -semihosting-config enable=on,target=native) services BKPT 0xAB.
 *
 * Without a debugger attached a BKPT is a HardFault, so images meant for a
 * board without a probe are built with TP_SEMIHOSTING=0 and never call these.
 */
#ifndef TP_SEMIHOST_H
#define TP_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

enum {
    SH_SYS_OPEN = 0x01,
    SH_SYS_CLOSE = 0x02,
    SH_SYS_WRITEC = 0x03,
    SH_SYS_WRITE0 = 0x04,
    SH_SYS_WRITE = 0x05,
    SH_SYS_READ = 0x06,
    SH_SYS_FLEN = 0x0C,
    SH_SYS_REMOVE = 0x0E,
    SH_SYS_GET_CMDLINE = 0x15,
    SH_SYS_EXIT = 0x18,
    SH_SYS_EXIT_EXTENDED = 0x20,
};

/* SYS_OPEN modes (ISO C fopen modes by index). */
enum { SH_MODE_R = 0, SH_MODE_RB = 1, SH_MODE_W = 4, SH_MODE_WB = 5, SH_MODE_AB = 9 };

#define SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u

uintptr_t tp_semihost_call(uint32_t op, const void *arg);

/* Host files (QEMU's working directory).  Return -1 on failure. */
int tp_hostfile_open(const char *name, int mode);
/* Returns the number of bytes written (all of len, or -1 on error). */
int tp_hostfile_write(int handle, const void *buf, size_t len);
/* Returns bytes read (0 at end of file) or -1. */
int tp_hostfile_read(int handle, void *buf, size_t len);
long tp_hostfile_length(int handle);
int tp_hostfile_close(int handle);
int tp_hostfile_remove(const char *name);

/* The command line the debugger gives the program (QEMU: the -kernel file
 * name, a space and -append's text), NUL-terminated in buf.  Returns its
 * length, or -1 if the host gives none or it does not fit. */
int tp_semihost_cmdline(char *buf, size_t size);

/* Ends the emulation with the given exit status; does not return. */
__attribute__((noreturn)) void tp_semihost_exit(int status);

#endif /* TP_SEMIHOST_H */
