// SPDX-License-Identifier: MIT
/*
 * test_exit.c - main's return value becomes QEMU's exit status (through
 * exit(), atexit handlers and SYS_EXIT_EXTENDED).
 *
 *@expect-exit 7
 *@expect-output ^exit-test: returning 7$
 *@expect-output ^exit-test: atexit handler ran$
 */
#include <stdlib.h>

#include "console.h"

static void at_exit(void) { tp_printf("exit-test: atexit handler ran\n"); }

int main(void) {
    atexit(at_exit);
    tp_printf("exit-test: returning 7\n");
    return 7;
}
