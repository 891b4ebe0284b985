#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""heapmap.py - draws a tidepool heap dump (prof/tp_heapdump.h) as a PNG.

The heap runs left to right, top to bottom, in rows of a fixed number of
bytes (address along the axis); each region starts a new block of rows.
Pools are coloured by size class and shaded by fill (pale: nearly empty,
full colour: full), large blocks in use are slate grey, free space is light
grey, the heap's own metadata black.  The per-class table stands beside it.

    tools/py prof/host/heapmap.py DUMP [-o map.png] [--label L] [--verify]

--verify reads the PNG back and checks, for every extent wide enough to hold
a pixel, that the pixel at its centre has the colour its kind, class and
fill call for (and that each table row's swatch has its class colour): exit
status 1 on any difference.  make test runs it on the dumps the target
writes (tests/target/test_prof_dump.c).
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import tpdump  # noqa: E402

USED = (0.30, 0.34, 0.42)
FREE = (0.90, 0.90, 0.90)
META = (0.0, 0.0, 0.0)
EMPTY_POOL = (0.75, 0.80, 0.75)
BACKGROUND = (1.0, 1.0, 1.0)
DPI = 100


def class_colour(c):
    return matplotlib.colormaps["tab10"](c % 10)[:3]


def pool_colour(c, used, total):
    """The class colour, mixed with white by how empty the pool is: a pool
    with no block in use is 20 % colour, a full one 100 %."""
    if c < 0:
        return EMPTY_POOL
    fill = used / total if total else 0.0
    k = 0.2 + 0.8 * fill
    return tuple(1.0 - k * (1.0 - x) for x in class_colour(c))


def colour_of(e):
    kind, _, _, cls, used, total = e
    if kind == "P":
        return pool_colour(cls, used, total)
    return {"U": USED, "F": FREE, "M": META}[kind]


def row_bytes_for(d):
    span = sum(e[2] for e in d.extents)
    row = d.pool_size * 16
    while span / row > 48:
        row *= 2
    return row


def layout(d):
    """([(extent, x0, x1, y)], bytes per row, rows): pieces of extents in
    data coordinates, x in bytes within the row, y the row (0 at the top).
    A region (extents stop being contiguous) starts after a blank row."""
    row = row_bytes_for(d)
    pieces, y0, base, prev_end, last = [], 0, None, None, 0
    for e in d.extents:
        addr, size = e[1], e[2]
        if base is None or addr != prev_end:
            if base is not None:
                y0 = last + 2
            base = addr - addr % row
        prev_end = addr + size
        a = addr
        while a < addr + size:
            r = (a - base) // row
            stop = min(addr + size, base + (r + 1) * row)
            pieces.append((e, a - base - r * row, stop - base - r * row, y0 + r))
            last = y0 + r
            a = stop
    return pieces, row, last + 1


def render(d, out):
    pieces, row, rows = layout(d)
    fig = plt.figure(figsize=(13, max(3.0, 0.28 * rows + 1.6)), dpi=DPI)
    ax = fig.add_axes([0.06, 0.08, 0.60, 0.82])
    ax.set_xlim(0, row)
    ax.set_ylim(rows, 0)
    ax.set_facecolor(BACKGROUND)
    for spine in ax.spines.values():  # a frame line would lie on the first and last extents
        spine.set_visible(False)
    for e, x0, x1, y in pieces:
        ax.add_patch(Rectangle((x0, y + 0.1), x1 - x0, 0.8, facecolor=colour_of(e),
                               edgecolor="none", linewidth=0, antialiased=False))
    ax.set_xlabel("offset in row (bytes; one row = %d bytes)" % row)
    ax.set_yticks([])
    t = tpdump.totals(d)
    ax.set_title("%s: heap %d B, in use %d B in %d blocks, %d pools, free %d B"
                 % (d.label, t["heap_size"], t["used_bytes"], t["used_blocks"], t["pools"],
                    t["free_bytes"]), fontsize=10, loc="left")
    # the per-class table, each row with a swatch of its class colour
    tab = fig.add_axes([0.69, 0.08, 0.30, 0.82])
    tab.set_xlim(0, 1)
    rows_c = [c for c in d.classes if c["pools"] > 0]
    n = max(len(rows_c), 1) + 6
    tab.set_ylim(n, 0)
    tab.axis("off")
    tab.text(0.1, 0.6, "class  size  pools   used   free  fill", family="monospace", fontsize=9)
    swatches = []
    for i, c in enumerate(rows_c):
        y = i + 1.2
        tab.add_patch(Rectangle((0.0, y), 0.07, 0.7, facecolor=class_colour(c["cls"]),
                                edgecolor="none", antialiased=False))
        swatches.append((c["cls"], y + 0.35))
        cap = c["used"] + c["free"]
        tab.text(0.1, y + 0.55, "%5d %5d %6d %6d %6d %4d%%" % (c["cls"], c["block_size"], c["pools"],
                 c["used"], c["free"], 100 * c["used"] // cap if cap else 0),
                 family="monospace", fontsize=9)
    y = len(rows_c) + 2
    for label, colour in (("large block in use", USED), ("free", FREE), ("empty pool kept", EMPTY_POOL),
                          ("metadata", META)):
        tab.add_patch(Rectangle((0.0, y), 0.07, 0.7, facecolor=colour, edgecolor="none",
                                antialiased=False))
        tab.text(0.1, y + 0.55, label, fontsize=9)
        y += 1
    fig.savefig(out, dpi=DPI)
    geometry = (fig, ax, tab, pieces, swatches)
    return geometry


def to_pixel(fig, axes, x, y):
    px, py = axes.transData.transform((x, y))
    height = fig.get_size_inches()[1] * DPI
    return int(px), int(round(height - py - 0.5))


def verify(d, out, geometry):
    fig, ax, tab, pieces, swatches = geometry
    img = mpimg.imread(out)
    problems, checked = [], 0
    for e, x0, x1, y in pieces:
        (l, _), (r, _) = to_pixel(fig, ax, x0, y + 0.5), to_pixel(fig, ax, x1, y + 0.5)
        if r - l < 5:
            continue  # a few pixels wide: drawn, but its edges blur into the centre
        col, row = to_pixel(fig, ax, (x0 + x1) / 2, y + 0.5)
        got = tuple(float(v) for v in img[row, col, :3])
        want = colour_of(e)
        checked += 1
        if max(abs(a - b) for a, b in zip(got, want)) > 0.02:
            problems.append("%s extent at %x: pixel (%d,%d) is %s, want %s"
                            % (e[0], e[1], col, row, fmt(got), fmt(want)))
    for cls, y in swatches:
        col, row = to_pixel(fig, tab, 0.035, y)
        got = tuple(float(v) for v in img[row, col, :3])
        checked += 1
        if max(abs(a - b) for a, b in zip(got, class_colour(cls))) > 0.02:
            problems.append("table swatch of class %d is %s" % (cls, fmt(got)))
    if checked < len([p for p in pieces if p[0][0] == "P"]) // 2:
        problems.append("only %d places could be checked" % checked)
    return problems, checked


def fmt(c):
    return "(%.2f, %.2f, %.2f)" % tuple(c)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("dump")
    ap.add_argument("-o", "--output", default="heapmap.png")
    ap.add_argument("--label", help="the dump to draw, when the file holds several (default: the first)")
    ap.add_argument("--verify", action="store_true")
    a = ap.parse_args(argv[1:])
    dumps = tpdump.parse(open(a.dump, errors="replace").read())
    dumps = [d for d in dumps if a.label is None or d.label == a.label]
    if not dumps:
        print("heapmap: no dump%s in %s" % (" labelled " + a.label if a.label else "", a.dump))
        return 1
    d = dumps[0]
    geometry = render(d, a.output)
    print("heapmap: %s -> %s" % (tpdump.summary(d), a.output))
    if a.verify:
        problems, checked = verify(d, a.output, geometry)
        for p in problems:
            print("  DIFFERS: " + p)
        if problems:
            return 1
        print("  verified: %d places in the picture have the colours the dump calls for" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
