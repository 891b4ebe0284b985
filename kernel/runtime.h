// SPDX-License-Identifier: MIT
/*
 * runtime.h - start-up and shut-down of a tidepool image.
 */
#ifndef TP_RUNTIME_H
#define TP_RUNTIME_H

/* Exit statuses the kernel itself uses (main's own value passes through). */
#define TP_EXIT_OK 0
#define TP_EXIT_FAILURE 1
#define TP_EXIT_FAULT 3          /* a CPU fault was reported */
#define TP_EXIT_STACK_OVERFLOW 4 /* the stack guard or canary was hit */
#define TP_EXIT_UNEXPECTED_IRQ 5 /* an interrupt with no handler fired */

/* Flushes the console, checks the stack canary, and ends the program: under
 * semihosting QEMU/the debugger gets `status`; without it the core prints the
 * status and sleeps.  Does not return. */
__attribute__((noreturn)) void tp_exit(int status);

/* Registers fn to run when the program ends through tp_exit (main's return
 * included), before the console is flushed: last reports such as the
 * allocation tracker's leak report.  The last registered runs first; each
 * runs once.  Returns 0, or -1 when TP_AT_EXIT_MAX are registered. */
#define TP_AT_EXIT_MAX 4
int tp_at_exit(void (*fn)(int status));

int main(void);

#endif /* TP_RUNTIME_H */
