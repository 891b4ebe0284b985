// SPDX-License-Identifier: MIT
/*
 * tp_inspect.c - what keeps an object alive, told with the objects layer's
 * words: gc/tp_gc_inspect.c finds the chain from a root; here each object
 * is printed as its repr and each reference named as Python would write it
 * (list[0], dict['key'], node.next).
 */
#include "fmt.h"
#include "tp_objects_internal.h"

/* "[i]" for the first of items[0..len) that is `to`. */
static size_t name_item(tp_obj_t *const *items, size_t len, const tp_obj_t *to, char *buf,
                        size_t size) {
    for (size_t i = 0; i < len; i++)
        if (items[i] == to) return tp_snprintf(buf, size, "[%lu]", (unsigned long)i);
    return 0;
}

/* A table's entry that holds `to`: "['key']" for a value (".key" for an
 * instance's attribute, whose keys are names), "(key)" for a key. */
static size_t name_entry(const tp_table_t *t, const tp_obj_t *to, int attribute, char *buf,
                         size_t size) {
    if (t->mem == NULL) return 0;
    const tp_entry_t *e = tp_table_entries(t);
    for (uint32_t i = 0; i < t->nentries; i++) {
        if (e[i].key == NULL || (e[i].value != to && e[i].key != to)) continue;
        if (e[i].key == to) return tp_snprintf(buf, size, "(key)");
        if (attribute) return tp_snprintf(buf, size, ".%s", tp_str_data(e[i].key));
        char key[24];
        (void)tp_repr(e[i].key, key, sizeof key);
        return tp_snprintf(buf, size, "[%s]", key);
    }
    return 0;
}

size_t tp_describe_edge(tp_obj_t *from, tp_obj_t *to, char *buf, size_t size) {
    if (from == NULL || to == NULL || (buf == NULL && size > 0)) return 0;
    if (tp_is(from, &tp_list_type))
        return name_item(TP_AS(tp_list_t, from)->items, TP_AS(tp_list_t, from)->len, to, buf, size);
    if (tp_is(from, &tp_tuple_type))
        return name_item(TP_AS(tp_tuple_t, from)->items, TP_AS(tp_tuple_t, from)->len, to, buf, size);
    if (tp_is(from, &tp_dict_type)) return name_entry(&TP_AS(tp_dict_t, from)->table, to, 0, buf, size);
    if (tp_is_instance(from)) return name_entry(&TP_AS(tp_instance_t, from)->attrs, to, 1, buf, size);
    return 0;
}

const tp_gc_describer_t tp_objects_describer = {.object = tp_repr, .edge = tp_describe_edge};

tp_gc_path_status_t tp_objects_print_path_to_root(tp_obj_t *obj, unsigned caller_refs,
                                                  tp_print_fn print) {
    return tp_gc_print_path_to_root(obj, caller_refs, print, &tp_objects_describer);
}
