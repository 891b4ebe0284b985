/* SPDX-License-Identifier: MIT
 * syscalls.c - the project's newlib system calls, as a CubeMX project has
 * them: _write sends each character to __io_putchar (here: the debugger's
 * console through semihosting, which QEMU provides), _exit ends the run. */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

int __io_putchar(int ch);

static int semihost(int op, const void *arg)
{
  register int r0 __asm("r0") = op;
  register const void *r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int __io_putchar(int ch)
{
  char c = (char)ch;
  semihost(0x03, &c); /* SYS_WRITEC */
  return ch;
}

int _write(int file, char *ptr, int len);
int _write(int file, char *ptr, int len)
{
  (void)file;
  for (int i = 0; i < len; i++)
    __io_putchar(*ptr++);
  return len;
}

void _exit(int status);
void _exit(int status)
{
  uint32_t block[2] = {0x20026u, (uint32_t)status}; /* ADP_Stopped_ApplicationExit */
  semihost(0x20, block);                            /* SYS_EXIT_EXTENDED */
  for (;;) {
  }
}

int _close(int file);
int _close(int file) { (void)file; return -1; }
int _fstat(int file, struct stat *st);
int _fstat(int file, struct stat *st) { (void)file; st->st_mode = S_IFCHR; return 0; }
int _isatty(int file);
int _isatty(int file) { (void)file; return 1; }
int _lseek(int file, int ptr, int dir);
int _lseek(int file, int ptr, int dir) { (void)file; (void)ptr; (void)dir; return 0; }
int _read(int file, char *ptr, int len);
int _read(int file, char *ptr, int len) { (void)file; (void)ptr; (void)len; return 0; }
int _getpid(void);
int _getpid(void) { return 1; }
int _kill(int pid, int sig);
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
