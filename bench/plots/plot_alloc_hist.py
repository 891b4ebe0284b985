# SPDX-License-Identifier: MIT
"""Histograms of instructions per malloc and per free on the allocator traces,
tidepool against newlib-nano: one panel per trace and operation, the two
allocators side by side in each bin, calls on a log scale.

Input: the `HIST <a>.<T>.<op> <instructions> <calls>` lines the benchmark
images print after each timed run (bench/run.sh saves them in
build/bench/hist.txt), and its BENCH lines (build/bench/bench.txt) for the
means, maxima and a cross-check of the counts.

    tools/py bench/plots/plot_alloc_hist.py [--hist F] [--bench F] [--out F.png]
"""

import argparse
import os
import sys
from typing import Dict, List, NamedTuple, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

# (key prefix, name, colour), in the order of their slots in a bin
SERIES = (("alloc", "tidepool", "#1f5fa8"), ("newlib", "newlib-nano", "#e8790c"))
PALETTE = {key: colour for key, _, colour in SERIES}
TRACES = ("T1", "T2", "T3")
OPS = ("malloc", "free")

MAX_BINS = 80  # per panel: each bin stays some 9 pixels wide
BAR_BOTTOM = 0.5  # calls; the log scale's floor, so a single call still shows
HEADROOM = 4.0  # the top of the y axis, times the tallest bar
# A bar's slot in its bin, as fractions of the bin's width, by series.
SLOTS = ((0.05, 0.5), (0.5, 0.95))
WIDTH_IN, HEIGHT_IN = 16.0, 11.0


class Hist(NamedTuple):
    calls: Dict[int, int]  # instructions -> calls
    over: int  # calls of `over_from` instructions or more (not drawn)
    over_from: int


HistKey = Tuple[str, str, str]  # (series key, trace, op)


def read_hist(path: str) -> Dict[HistKey, Hist]:
    calls: Dict[HistKey, Dict[int, int]] = {}
    over: Dict[HistKey, Tuple[int, int]] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            fields = line.split()
            if len(fields) != 4 or fields[0] != "HIST":
                continue
            parts = fields[1].split(".")
            if len(parts) != 3:
                continue
            key = (parts[0], parts[1], parts[2])
            calls.setdefault(key, {})
            if fields[2].endswith("+"):
                over[key] = (int(fields[2][:-1]), int(fields[3]))
            else:
                n = int(fields[2])
                calls[key][n] = calls[key].get(n, 0) + int(fields[3])
    return {k: Hist(c, over.get(k, (0, 0))[1], over.get(k, (0, 0))[0]) for k, c in calls.items()}


def bin_width(span: int, max_bins: int = MAX_BINS) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that covers `span`
    instructions in at most `max_bins` bins."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if (span + step * m - 1) // (step * m) <= max_bins:
                return step * m
        step *= 10


def binned(calls: Dict[int, int], width: int) -> Dict[int, int]:
    """Calls by bin, a bin named by its first instruction count."""
    out: Dict[int, int] = {}
    for n, c in calls.items():
        out[n // width * width] = out.get(n // width * width, 0) + c
    return out


def stats(h: Hist) -> Tuple[int, float, int]:
    """calls, mean and max of the drawn bins"""
    n = sum(h.calls.values())
    total = sum(k * c for k, c in h.calls.items())
    return n, (total / n if n else 0.0), max(h.calls, default=0)


def consistency(hists: Dict[HistKey, Hist], bench: Dict[str, str]) -> List[str]:
    """Where the histograms disagree with the BENCH figures of the same run."""
    problems = []
    for (series, trace, op), h in sorted(hists.items()):
        prefix = f"{series}.{trace}."
        n, mean, top = stats(h)
        want_n = bench.get(prefix + op + "s")
        if want_n is not None and int(want_n) != n + h.over:
            problems.append(f"{prefix}{op}: {n + h.over} calls in the histogram, "
                            f"BENCH {prefix}{op}s {want_n}")
        if h.over:
            continue
        want_max = bench.get(prefix + op + "_max")
        if want_max is not None and int(want_max) != top:
            problems.append(f"{prefix}{op}: histogram max {top}, BENCH {prefix}{op}_max {want_max}")
        want_mean = bench.get(prefix + op + "_mean")
        if want_mean is not None and abs(float(want_mean) - mean) > 0.051:
            problems.append(f"{prefix}{op}: histogram mean {mean:.2f}, "
                            f"BENCH {prefix}{op}_mean {want_mean}")
    return problems


class Panel(NamedTuple):
    trace: str
    op: str
    ax: object
    width: int  # instructions per bin
    bins: int


class Layout(NamedTuple):
    fig: object
    panels: List[Panel]
    series: List[str]  # keys of the series drawn


def panel_title(trace: str, op: str, hists: Dict[HistKey, Hist], bench: Dict[str, str]) -> str:
    parts = [f"{trace} {op}"]
    for key, name, _ in SERIES:
        h = hists.get((key, trace, op))
        if h is None:
            continue
        _, mean, top = stats(h)
        mean_s = bench.get(f"{key}.{trace}.{op}_mean", f"{mean:.1f}")
        max_s = bench.get(f"{key}.{trace}.{op}_max", str(top))
        note = f", {h.over} calls of {h.over_from}+ not drawn" if h.over else ""
        parts.append(f"{name} mean {mean_s}, max {max_s}{note}")
    return "    ".join(parts)


def render(hists: Dict[HistKey, Hist], bench: Dict[str, str], out: str) -> Layout:
    series = [key for key, _, _ in SERIES if any(k[0] == key for k in hists)]
    traces = [t for t in TRACES if any(k[1] == t for k in hists)]
    if not traces:
        raise ValueError("no histogram of T1, T2 or T3 in the input")
    fig = plotlib.new_figure(WIDTH_IN, HEIGHT_IN)
    axes = fig.subplots(len(traces), len(OPS), squeeze=False)
    fig.subplots_adjust(left=0.055, right=0.985, top=0.885, bottom=0.055, hspace=0.42, wspace=0.1)
    panels = []
    for col, op in enumerate(OPS):
        # one bin width and x range per column, so the traces compare
        longest = max((max(h.calls, default=0) for k, h in hists.items()
                       if k[2] == op and k[1] in traces), default=0)
        width = bin_width(longest + 1)
        nbins = longest // width + 2  # an empty bin after the longest call
        for row, trace in enumerate(traces):
            ax = axes[row][col]
            tallest = 1
            for slot, (key, _, colour) in enumerate(SERIES):
                h = hists.get((key, trace, op))
                if h is None:
                    continue
                bins = binned(h.calls, width)
                tallest = max([tallest] + list(bins.values()))
                lo, hi = SLOTS[slot]
                ax.bar([b + lo * width for b in bins], [c - BAR_BOTTOM for c in bins.values()],
                       bottom=BAR_BOTTOM, width=(hi - lo) * width, align="edge", color=colour,
                       linewidth=0, antialiased=False)
            ax.set_yscale("log")
            ax.set_xlim(0, nbins * width)
            ax.set_ylim(BAR_BOTTOM, max(10.0, tallest * HEADROOM))
            ax.set_title(panel_title(trace, op, hists, bench), fontsize=9.5, loc="left")
            if row == len(traces) - 1:
                ax.set_xlabel(f"instructions per {op} (bins of {width})")
            if col == 0:
                ax.set_ylabel("calls")
            panels.append(Panel(trace, op, ax, width, nbins))
    fig.suptitle("Instructions per malloc and per free on the allocator traces: tidepool "
                 "against newlib-nano (netduinoplus2, QEMU -icount shift=0, the measured "
                 "operations of each timed run)", fontsize=12, y=0.985)
    fig.legend(handles=[Patch(facecolor=colour, label=name) for key, name, colour in SERIES
                        if key in series],
               loc="upper center", bbox_to_anchor=(0.5, 0.955), ncol=2, frameon=False)
    plotlib.save(fig, out)
    return Layout(fig, panels, series)


def expected_marks(layout: Layout, hists: Dict[HistKey, Hist]) -> List[plotlib.Mark]:
    """Where each bar of `hists` must be in the saved figure of `layout`:
    its colour just under its top and the background just above it; the
    background at the foot of every slot without a bar."""
    marks = []
    for p in layout.panels:
        for slot, (key, name, _) in enumerate(SERIES):
            if key not in layout.series:
                continue
            h = hists.get((key, p.trace, p.op))
            bins = binned(h.calls, p.width) if h is not None else {}
            lo, hi = SLOTS[slot]
            for b in range(0, p.bins * p.width, p.width):
                x = b + (lo + hi) / 2 * p.width
                what = f"{name} {p.trace} {p.op} {b}-{b + p.width - 1} instructions"
                cx, foot = plotlib.display_point(p.ax, x, BAR_BOTTOM)
                count = bins.get(b, 0)
                if count == 0:
                    marks.append(plotlib.Mark(cx, foot + 2, plotlib.BACKGROUND, what + ": no bar"))
                    continue
                _, top = plotlib.display_point(p.ax, x, count)
                inside = top - min(2.0, (top - foot) / 2)
                marks.append(plotlib.Mark(cx, inside, key, f"{what}: bar of {count}, its top"))
                marks.append(plotlib.Mark(cx, top + 2, plotlib.BACKGROUND,
                                          f"{what}: bar of {count}, above it"))
    return marks


def draw(args) -> None:
    hists = read_hist(args.hist)
    bench = plotlib.read_bench(args.bench) if os.path.exists(args.bench) else {}
    for problem in consistency(hists, bench):
        print(f"plot_alloc_hist: warning: {problem}", file=sys.stderr)
    render(hists, bench, args.out)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hist", default="build/bench/hist.txt")
    ap.add_argument("--bench", default="build/bench/bench.txt")
    ap.add_argument("--out", default="docs/results/alloc-histogram.png")
    args = ap.parse_args(argv)
    return plotlib.command("plot_alloc_hist", args.hist, lambda: draw(args), args.out)


if __name__ == "__main__":
    sys.exit(main())
