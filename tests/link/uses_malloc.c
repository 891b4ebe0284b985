// SPDX-License-Identifier: MIT
/* An image that allocates through every C-library path (malloc, stdio's
 * buffers): its link map must show tidepool's allocator, not newlib's. */
#include <stdio.h>
#include <stdlib.h>

int uses_malloc(void);
int uses_malloc(void) {
    char *p = malloc(10);
    printf("%p\n", (void *)p);
    free(p);
    return p != NULL;
}
