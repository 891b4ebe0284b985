// SPDX-License-Identifier: MIT
/*
 * tp_objects_config.h - compile-time settings of the object layer.  Each can
 * be overridden with -D; the invariants are checked in the sources.
 */
#ifndef TP_OBJECTS_CONFIG_H
#define TP_OBJECTS_CONFIG_H

/* Blocks kept on the int and float free lists (level +3 of the pyramid):
 * a freed int waits there for the next int instead of going back to its
 * pool, so a loop making and dropping ints never touches the allocator.
 * 0 disables the list.  At most 65535.  The collector's out-of-memory pass
 * gives every cached block back. */
#ifndef TP_INT_FREELIST_CAP
#define TP_INT_FREELIST_CAP 32
#endif
#ifndef TP_FLOAT_FREELIST_CAP
#define TP_FLOAT_FREELIST_CAP 16
#endif

/* Longest identifier-like literal tp_str_new interns (CPython: no limit). */
#ifndef TP_STR_INTERN_MAX
#define TP_STR_INTERN_MAX 32
#endif

/* Deepest nesting that tp_deepcopy, tp_repr and tp_eq follow (then
 * TP_ERR_RECURSION, or "..." in a repr).  Each level costs up to 104 bytes
 * of stack (-Os, Cortex-M3: deepcopy or repr of nested dicts), so 24 levels
 * need 2.5 KiB: boards with a smaller thread stack set it lower in their
 * board.mk (OBJECTS_FLAGS). */
#ifndef TP_OBJ_MAX_DEPTH
#define TP_OBJ_MAX_DEPTH 24
#endif

#endif /* TP_OBJECTS_CONFIG_H */
