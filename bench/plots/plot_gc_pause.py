# SPDX-License-Identifier: MIT
"""The collector's pause against the live heap, log-log: the longest step of
an incremental collection against the one pause of a stop-the-world
collection of the same heap.

Input: the `BENCH gc.pause.<N>k.live_bytes|incremental_max|stw` lines of the
collector's benchmark (bench/gc/gc_bench.c; build/bench-gc/bench.txt).

    tools/py bench/plots/plot_gc_pause.py [--bench F] [--out F.png]
"""

import argparse
import math
import os
import sys
from typing import Dict, List, NamedTuple, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402

# (BENCH key suffix, name, colour, marker), in drawing order
SERIES = (
    ("incremental_max", "incremental: the longest step", "#1f5fa8", "o"),
    ("stw", "stop-the-world: the whole collection", "#c0282d", "s"),
)
PALETTE = {key: colour for key, _, colour, _ in SERIES}
WIDTH_IN, HEIGHT_IN = 9.0, 6.0
MARKER_PT = 7.0
LINE_PT = 2.0
# The background is checked this far above and below each marker (display
# pixels): clear of the marker (radius ~5 px) and of its lines.
CLEAR_PX = 10.0


class Point(NamedTuple):
    size: str  # the series' name for it: "8k"
    live_bytes: int
    pauses: Dict[str, int]  # series key -> instructions


def read_points(bench: Dict[str, str]) -> List[Point]:
    """The sizes that have live_bytes and every series, by live bytes."""
    sizes = {key.split(".")[2] for key in bench if key.startswith("gc.pause.")}
    points = []
    for size in sizes:
        prefix = f"gc.pause.{size}."
        if prefix + "live_bytes" not in bench or any(prefix + k not in bench for k, *_ in SERIES):
            continue
        points.append(Point(size, int(bench[prefix + "live_bytes"]),
                            {k: int(bench[prefix + k]) for k, *_ in SERIES}))
    return sorted(points, key=lambda p: p.live_bytes)


def kib(n: int) -> float:
    return n / 1024.0


def short(n: int) -> str:
    """2661, 86 k, 1.76 M"""
    if n >= 1_000_000:
        return f"{n / 1e6:.2f} M"
    if n >= 10_000:
        return f"{n / 1e3:.0f} k"
    return f"{n:,}"


class Layout(NamedTuple):
    fig: object
    ax: object


def render(points: List[Point], out: str) -> Layout:
    if not points:
        raise ValueError("no gc.pause.<N>k lines with live_bytes, incremental_max and stw")
    fig = plotlib.new_figure(WIDTH_IN, HEIGHT_IN)
    ax = fig.add_axes((0.1, 0.1, 0.86, 0.7))
    xs = [kib(p.live_bytes) for p in points]
    for key, name, colour, marker in SERIES:
        ax.plot(xs, [p.pauses[key] for p in points], color=colour, marker=marker,
                markersize=MARKER_PT, linewidth=LINE_PT, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    values = [v for p in points for v in p.pauses.values()]
    ax.set_xlim(min(xs) / 1.4, max(xs) * 1.4)
    ax.set_ylim(min(values) / 3, max(values) * 3)
    ax.xaxis.set_major_locator(FixedLocator([2 ** k for k in range(-2, 12)]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
    ax.set_xlabel("live heap (KiB, log scale)")
    ax.set_ylabel("pause (guest instructions, log scale)")
    first, last = points[0], points[-1]
    inc = [p.pauses["incremental_max"] for p in points]
    inc_text = (f"{short(min(inc))} at every size" if min(inc) == max(inc)
                else f"{short(min(inc))} to {short(max(inc))}")
    fig.suptitle("Collector pause against the live heap (chains; netduinoplus2, QEMU "
                 "-icount shift=0)", fontsize=12, y=0.975)
    fig.text(0.5, 0.905, f"longest incremental step {inc_text}; stop-the-world "
             f"{short(first.pauses['stw'])} at {kib(first.live_bytes):.1f} KiB live to "
             f"{short(last.pauses['stw'])} at {kib(last.live_bytes):.1f} KiB",
             ha="center", fontsize=10)
    fig.legend(loc="upper center", bbox_to_anchor=(0.5, 0.885), ncol=2, frameon=False)
    plotlib.save(fig, out)
    return Layout(fig, ax)


def expected_marks(layout: Layout, points: List[Point]) -> List[plotlib.Mark]:
    """Each point's marker in its series' colour with the background
    CLEAR_PX above and below it (unless another point is that near), and
    each line between two points in its colour at its middle."""
    centres = {key: [plotlib.display_point(layout.ax, kib(p.live_bytes), p.pauses[key])
                     for p in points] for key, *_ in SERIES}
    everyone = [c for cs in centres.values() for c in cs]
    marks = []
    for key, name, _, _ in SERIES:
        cs = centres[key]
        for p, (x, y) in zip(points, cs):
            what = f"{name}, {p.size} ({p.pauses[key]} at {p.live_bytes} bytes)"
            marks.append(plotlib.Mark(x, y, key, what + ": marker"))
            for dy, where in ((CLEAR_PX, "above"), (-CLEAR_PX, "below")):
                crowded = any(abs(ox - x) < CLEAR_PX and 0 < abs(oy - y) < 2 * CLEAR_PX
                              for ox, oy in everyone)
                if not crowded:
                    marks.append(plotlib.Mark(x, y + dy, plotlib.BACKGROUND, f"{what}: {where}"))
        for (p, (x0, y0)), (x1, y1) in zip(zip(points, cs), cs[1:]):
            if math.hypot(x1 - x0, y1 - y0) > 3 * CLEAR_PX:
                marks.append(plotlib.Mark((x0 + x1) / 2, (y0 + y1) / 2, key,
                                          f"{name}: the line on from {p.size}"))
    return marks


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", default="build/bench-gc/bench.txt")
    ap.add_argument("--out", default="docs/results/gc-pause-vs-live.png")
    args = ap.parse_args(argv)
    return plotlib.command("plot_gc_pause", args.bench,
                           lambda: render(read_points(plotlib.read_bench(args.bench)), args.out),
                           args.out)


if __name__ == "__main__":
    sys.exit(main())
