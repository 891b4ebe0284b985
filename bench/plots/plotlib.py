# SPDX-License-Identifier: MIT
"""What the benchmark plots share: reading the benchmarks' output, figures of a
fixed size rendered by Agg, and the pixel check of a saved figure.

The check: a plot script knows, from its data and the transforms of the axes
it drew, where each bar, marker or line must be in the PNG and which colour
it must have there (or that the background must show).  Those places are
`Mark`s; `check_marks` reads the PNG back and names every mark it does not
find.  A figure is saved at its own dpi, uncropped, so that a display
coordinate of matplotlib is a pixel of the file.
"""

import os
import sys
from typing import Callable, Dict, List, NamedTuple, Sequence, Tuple

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
import matplotlib.image  # noqa: E402

BACKGROUND = "background"
BACKGROUND_COLOUR = "#ffffff"
DPI = 100

# A pixel is taken for the palette colour nearest to it, if it is this near
# (RGB distance, channels 0..1): antialiased edges of lines and markers are
# blends, and a blend halfway to the background is not either colour.
MATCH_DISTANCE = 0.2


def read_bench(path: str) -> Dict[str, str]:
    """`BENCH <key> <value>` lines of a log or of bench.txt, as key -> value."""
    values = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 3 and fields[0] == "BENCH":
                values[fields[1]] = fields[2]
    return values


def new_figure(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, facecolor=BACKGROUND_COLOUR)
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: str) -> None:
    """Saves at the figure's dpi, uncropped, after drawing it (so that the
    transforms the marks are computed with are those of the file)."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    fig.canvas.draw()
    fig.savefig(path, dpi=fig.dpi, facecolor=fig.get_facecolor())


class Mark(NamedTuple):
    x: float  # display coordinates: pixels from the figure's left
    y: float  # and from its bottom
    expect: str  # a series name, or BACKGROUND
    what: str  # for the report


def display_point(ax, x: float, y: float) -> Tuple[float, float]:
    px, py = ax.transData.transform((x, y))
    return float(px), float(py)


def pixel_colour(image, fig: Figure, x: float, y: float):
    """The RGB of the file's pixel holding display point (x, y), or None
    outside the image."""
    height, width = image.shape[0], image.shape[1]
    col = int(x)
    row = int(fig.bbox.height - y)
    if not (0 <= col < width and 0 <= row < height):
        return None
    return tuple(float(c) for c in image[row, col, :3])


def nearest(rgb, palette: Dict[str, str]) -> str:
    best, best_d = None, None
    for name, colour in palette.items():
        d = sum((a - b) ** 2 for a, b in zip(rgb, to_rgb(colour))) ** 0.5
        if best_d is None or d < best_d:
            best, best_d = name, d
    return best if best_d is not None and best_d <= MATCH_DISTANCE else "other"


def check_marks(png: str, fig: Figure, marks: Sequence[Mark], palette: Dict[str, str]) -> List[str]:
    """The marks not found in `png`, one line each; [] when all are there.
    `palette` names the colours of the series (the background is added)."""
    image = matplotlib.image.imread(png)
    failures = []
    if (image.shape[1], image.shape[0]) != (round(fig.bbox.width), round(fig.bbox.height)):
        return [f"{png}: {image.shape[1]}x{image.shape[0]} pixels, the figure is "
                f"{fig.bbox.width:.0f}x{fig.bbox.height:.0f}"]
    colours = dict(palette)
    colours[BACKGROUND] = BACKGROUND_COLOUR
    for m in marks:
        rgb = pixel_colour(image, fig, m.x, m.y)
        found = "outside the image" if rgb is None else nearest(rgb, colours)
        if found != m.expect:
            seen = "" if rgb is None else " (%.2f %.2f %.2f)" % rgb
            failures.append(f"{m.what}: pixel ({m.x:.0f}, {fig.bbox.height - m.y:.0f}) is "
                            f"{found}{seen}, expected {m.expect}")
    return failures


def command(name: str, source: str, draw: Callable[[], None], out: str) -> int:
    """A plot script's command: draws `out` from `source` (the benchmark's
    output), says what it wrote; 1 with a message when the source is missing
    or has nothing to draw (draw raises ValueError)."""
    if not os.path.exists(source):
        print(f"{name}: {source} not found (make bench writes it)", file=sys.stderr)
        return 1
    try:
        draw()
    except ValueError as e:
        print(f"{name}: {source}: {e}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0
