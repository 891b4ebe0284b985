// SPDX-License-Identifier: MIT
/*
 * tp_heapdump.h - a dump of the heap for the host: every extent (pools with
 * their class and fill, large blocks, free space, the heap's own metadata),
 * the per-class table and the statistics, as framed text.
 *
 *   -----BEGIN TPDUMP----- label
 *   V 1 <pool size> <grain> <classes> <small max>
 *   S heap_size=.. metadata_bytes=.. used_bytes=.. ...   (tp_heap_stats_t)
 *   C <class> <block size> <blocks per pool> <pools> <used> <free> <overhead>
 *   R <region> <first address> <end address>
 *   M <address> <size>                                   metadata
 *   P <address> <size> <class|-1> <blocks used> <blocks>  a pool
 *   U <address> <size>                                   a large block in use
 *   F <address> <size>                                   free
 *   -----END TPDUMP----- <bytes> <crc32>
 *
 * Addresses and sizes in hex, the rest decimal; <bytes> and <crc32> (IEEE,
 * hex) cover the lines between the two frame lines ('\n' endings), so a
 * capture from a UART - where the dump may sit among other output and lines
 * may end "\r\n" - is checked whole.  prof/host/tpdump.py finds, checks and
 * parses dumps; prof/host/heapmap.py draws them (make heapmap).
 *
 * The statistics (S, C) are the heap's O(1) counters and its per-class
 * walk; the extents come from tp_heap_walk: the host checks each against the
 * other.  Costs O(heap) time, a line buffer of stack, no heap memory.
 * Take it from thread context (see tp_heap_walk).
 */
#ifndef TP_HEAPDUMP_H
#define TP_HEAPDUMP_H

#include <stddef.h>

#include "tp_alloc.h"

/* Receives the dump's text, a line at a time. */
typedef void (*tp_dump_write_t)(const char *text, size_t len, void *ctx);

/* Writes heap's dump through `write`.  Returns the number of extents, or -1
 * (NULL heap or write, or a damaged heap: the dump then ends without its END
 * line, and the host rejects it). */
long tp_heapdump(const tp_heap_t *heap, const char *label, tp_dump_write_t write, void *ctx);

/* Target only: to the console (the UART on a board), or to a file on the
 * host over semihosting (QEMU's working directory; returns -1 if the file
 * cannot be written). */
long tp_heapdump_console(const tp_heap_t *heap, const char *label);
long tp_heapdump_file(const tp_heap_t *heap, const char *label, const char *path);

/* A text map of the heap for a serial console: one character per
 * TP_ALLOC_POOL_SIZE bytes, `columns` to a line, each line starting with its
 * address; then a legend.  A pool shows its class as a letter (A = 8-byte
 * blocks, B = 16, ...), upper case when at least half its blocks are used;
 * '#' a large block in use, '.' free, '-' an empty pool kept, 'm' the heap's
 * metadata.  A character covering several extents shows the one with the
 * most bytes there. */
void tp_heapmap_print(const tp_heap_t *heap, unsigned columns,
                      tp_print_fn print);

#endif /* TP_HEAPDUMP_H */
