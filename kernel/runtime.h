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

int main(void);

#endif /* TP_RUNTIME_H */
