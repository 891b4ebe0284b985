/* SPDX-License-Identifier: MIT
 * sysmem.c - the project's _sbrk, as a CubeMX project has it: the heap
 * grows from _end up to _estack - _Min_Stack_Size.  With tidepool's
 * allocator dropped in, nothing calls it (main.c counts the calls). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern uint8_t _end, _estack, _Min_Stack_Size;
static uint8_t *heap_end;
unsigned sbrk_calls;

void *_sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr)
{
  const uint8_t *max = &_estack - (uint32_t)&_Min_Stack_Size;
  sbrk_calls++;
  if (heap_end == NULL)
    heap_end = &_end;
  if (heap_end + incr > max) {
    errno = ENOMEM;
    return (void *)-1;
  }
  uint8_t *prev = heap_end;
  heap_end += incr;
  return prev;
}
