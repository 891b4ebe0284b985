# SPDX-License-Identifier: MIT
"""Tests of the benchmark plots (bench/plots/), run by test_plots.sh.

Each plot is rendered from the synthetic input in tests/scripts/data/plots/
and read back from its PNG: every bar, marker and line must be where the
data and the axes' transforms put it, in its series' colour, with the
background where there is none.  Then the same image is checked against
data changed after rendering - a count, the series swapped, a bar or point
missing - and the check must fail: that is what shows it looks at the data.

Prints `PASS name` / `FAIL name` (with indented details) and ends with
`N passed, N failed`; exits 1 on any failure.
"""

import os
import subprocess
import sys
import tempfile
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "plots"))
DATA = os.path.join(ROOT, "tests", "scripts", "data", "plots")

import matplotlib.image  # noqa: E402
import numpy  # noqa: E402
import plot_alloc_hist as ah  # noqa: E402
import plot_gc_pause as gp  # noqa: E402
import plotlib  # noqa: E402

passed = failed = 0


def case(name, problems):
    """problems: the lines that make the case fail ([] passes)"""
    global passed, failed
    if problems:
        failed += 1
        print(f"FAIL {name}")
        for line in problems[:12]:
            print(f"    {line}")
        if len(problems) > 12:
            print(f"    ... {len(problems) - 12} more")
    else:
        passed += 1
        print(f"PASS {name}")


def must_fail(what, failures, names):
    """A check against wrong data must fail, and name what is wrong."""
    if not failures:
        return [f"{what}: the image passed the check"]
    if not any(all(n in f for n in names) for f in failures):
        return [f"{what}: no failure names {names}; first: {failures[0]}"]
    return []


def run_cli(script, args):
    r = subprocess.run([os.path.join(ROOT, "tools", "py"), os.path.join(ROOT, "bench", "plots", script)]
                       + args, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def same_pixels(a, b):
    x, y = matplotlib.image.imread(a), matplotlib.image.imread(b)
    if x.shape != y.shape:
        return [f"{a} is {x.shape}, {b} is {y.shape}"]
    differ = int(numpy.count_nonzero(numpy.any(x != y, axis=2)))
    return [f"{differ} pixels differ between {a} and {b}"] if differ else []


def with_count(hists, key, instructions, calls):
    h = hists[key]
    c = dict(h.calls)
    if calls:
        c[instructions] = calls
    else:
        del c[instructions]
    out = dict(hists)
    out[key] = h._replace(calls=c)
    return out


def alloc_cases(tmp):
    hist_path = os.path.join(DATA, "alloc-hist.txt")
    bench_path = os.path.join(DATA, "alloc-bench.txt")
    hists = ah.read_hist(hist_path)
    bench = plotlib.read_bench(bench_path)

    case("alloc: HIST lines read, the 1024+ bin apart", [
        f"{k}: {v}" for k, v in {
            "bins of alloc.T2.malloc": (hists[("alloc", "T2", "malloc")].calls,
                                        {24: 3000, 33: 1, 66: 400, 393: 1}),
            "overflow of newlib.T2.free": (hists[("newlib", "T2", "free")][1:], (2, 1024)),
            "histograms": (len(hists), 8),
        }.items() if v[0] != v[1]])
    case("alloc: bin widths 1, 2, 5, 10...", [
        f"bin_width({s}) = {ah.bin_width(s)}, expected {w}"
        for s, w in ((1, 1), (80, 1), (81, 2), (160, 2), (161, 5), (755, 10), (801, 20))
        if ah.bin_width(s) != w])
    binned = ah.binned({38: 50, 40: 700, 44: 5, 124: 211}, 10)
    case("alloc: calls of one bin are added up", [] if binned == {30: 50, 40: 705, 120: 211} else
         [f"binned: {binned}"])
    problems = ah.consistency(hists, bench)
    case("alloc: histograms agree with the BENCH figures", problems)
    wrong = dict(bench, **{"alloc.T2.mallocs": "3403", "alloc.T1.free_max": "121",
                           "newlib.T1.malloc_mean": "83.4"})
    found = ah.consistency(hists, wrong)
    case("alloc: a disagreement with BENCH is reported", [] if len(found) == 3 else
         [f"expected 3 problems, got {found}"])

    png = os.path.join(tmp, "alloc.png")
    layout = ah.render(hists, bench, png)
    marks = ah.expected_marks(layout, hists)
    bars = sum(len(ah.binned(h.calls, p.width)) for p in layout.panels
               for (s, t, o), h in hists.items() if (t, o) == (p.trace, p.op))
    tops = [m for m in marks if m.what.endswith("its top")]
    case("alloc: every bar of the data is checked", [] if len(tops) == bars and bars >= 25 else
         [f"{len(tops)} bar tops checked, {bars} bars in the data"])
    case("alloc: the image shows the data, pixel by pixel",
         plotlib.check_marks(png, layout.fig, marks, ah.PALETTE))

    code, out, err = run_cli("plot_alloc_hist.py", ["--hist", hist_path, "--bench", bench_path,
                                                    "--out", os.path.join(tmp, "cli.png")])
    problems = [] if code == 0 and f"wrote {tmp}/cli.png" in out else [f"status {code}: {out}{err}"]
    case("alloc: the command writes the same image", problems or
         same_pixels(png, os.path.join(tmp, "cli.png")))

    key = ("alloc", "T2", "malloc")
    problems = must_fail("a count of 400 made 2000", plotlib.check_marks(
        png, layout.fig, ah.expected_marks(layout, with_count(hists, key, 66, 2000)), ah.PALETTE),
        ["tidepool T2 malloc 60-69", "bar of 2000"])
    problems += must_fail("a count of 1 made 2", plotlib.check_marks(
        png, layout.fig, ah.expected_marks(layout, with_count(hists, key, 393, 2)), ah.PALETTE),
        ["tidepool T2 malloc 390-399", "bar of 2"])
    case("alloc: a count changed after rendering fails the check", problems)

    swapped = {("newlib" if s == "alloc" else "alloc", t, o): h for (s, t, o), h in hists.items()}
    case("alloc: the series swapped fail the check", must_fail("swapped", plotlib.check_marks(
        png, layout.fig, ah.expected_marks(layout, swapped), ah.PALETTE), ["tidepool"]))

    missing = with_count(hists, ("newlib", "T1", "free"), 240, 0)
    problems = must_fail("a bar the data does not have", plotlib.check_marks(
        png, layout.fig, ah.expected_marks(layout, missing), ah.PALETTE),
        ["newlib-nano T1 free 240-249", "no bar"])
    png2 = os.path.join(tmp, "alloc-missing.png")
    layout2 = ah.render(missing, bench, png2)
    problems += must_fail("a bar missing from the image", plotlib.check_marks(
        png2, layout2.fig, ah.expected_marks(layout2, hists), ah.PALETTE),
        ["newlib-nano T1 free 240-249", "bar of 20"])
    case("alloc: a bar missing, or one too many, fails the check", problems)


def gc_cases(tmp):
    bench_path = os.path.join(DATA, "gc-bench.txt")
    points = gp.read_points(plotlib.read_bench(bench_path))
    case("gc: the complete sizes read, by live bytes",
         [] if [p.size for p in points] == ["2k", "4k", "8k", "16k", "32k", "64k"] else
         [f"sizes {[p.size for p in points]}"])

    png = os.path.join(tmp, "gc.png")
    layout = gp.render(points, png)
    marks = gp.expected_marks(layout, points)
    kinds = [sum(m.what.endswith(k) for m in marks) for k in (": marker", ": above", ": below")]
    case("gc: every point and line is checked",
         [] if kinds[0] == 12 and min(kinds[1:]) >= 10 and len(marks) >= 44 else
         [f"markers, above, below: {kinds}; {len(marks)} marks"])
    case("gc: the image shows the data, pixel by pixel",
         plotlib.check_marks(png, layout.fig, marks, gp.PALETTE))

    code, out, err = run_cli("plot_gc_pause.py", ["--bench", bench_path,
                                                  "--out", os.path.join(tmp, "cli.png")])
    problems = [] if code == 0 and f"wrote {tmp}/cli.png" in out else [f"status {code}: {out}{err}"]
    case("gc: the command writes the same image", problems or
         same_pixels(png, os.path.join(tmp, "cli.png")))

    changed = [p._replace(pauses=dict(p.pauses, stw=p.pauses["stw"] * 2)) if p.size == "16k"
               else p for p in points]
    case("gc: a pause changed after rendering fails the check", must_fail(
        "stw of 16k doubled", plotlib.check_marks(
            png, layout.fig, gp.expected_marks(layout, changed), gp.PALETTE),
        ["stop-the-world", "16k", "marker"]))
    swapped = [p._replace(pauses={"stw": p.pauses["incremental_max"],
                                  "incremental_max": p.pauses["stw"]}) for p in points]
    case("gc: the series swapped fail the check", must_fail("swapped", plotlib.check_marks(
        png, layout.fig, gp.expected_marks(layout, swapped), gp.PALETTE), ["incremental", "marker"]))
    png2 = os.path.join(tmp, "gc-missing.png")
    without = [p for p in points if p.size != "8k"]
    layout2 = gp.render(without, png2)
    case("gc: a point missing from the image fails the check", must_fail(
        "8k not drawn", plotlib.check_marks(png2, layout2.fig, gp.expected_marks(layout2, points),
                                            gp.PALETTE), ["8k", "marker"]))


def command_cases(tmp):
    out = os.path.join(tmp, "none.png")
    problems = []
    for script, args, says in (
            ("plot_alloc_hist.py", ["--hist", os.path.join(tmp, "absent.txt")], "absent.txt not found"),
            ("plot_gc_pause.py", ["--bench", os.path.join(DATA, "alloc-bench.txt")],
             "no gc.pause.<N>k lines")):
        code, _, err = run_cli(script, args + ["--out", out])
        if code != 1 or says not in err or os.path.exists(out):
            problems.append(f"{script} {' '.join(args)}: status {code}, said {err.strip()!r}")
    case("commands: a missing or empty input is an error, and nothing is written", problems)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for cases in (alloc_cases, gc_cases, command_cases):
            try:
                cases(tmp)
            except Exception:  # a crash is a failed case, and the summary still comes
                case(f"{cases.__name__} ran to the end", traceback.format_exc().splitlines())
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
