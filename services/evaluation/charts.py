"""Charts people look at, rendered server-side (matplotlib Agg) with a CJK font so the
Chinese labels show: the month's trend of the three rates, ranking bars, and a heat grid of
categories by grid. PNG for the console and print, SVG for the one-page report.

The font is Noto Sans CJK from the `noto-cjk-sans-otc` wheel (pinned in pyproject.toml, so
`make test` installs it without apt); `font_path()` finds it, and `glyphs_render()` proves
a label's characters have glyphs in it rather than tofu boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

BAR_COLOUR = "#c0392b"  # one solid colour: a test counts the bars by it
LINE_COLOURS = {"响应率": "#2471a3", "解决率": "#229954", "满意率": "#c0392b"}
DPI = 100


@lru_cache(maxsize=1)
def font_path() -> Path:
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


@lru_cache(maxsize=1)
def _font() -> font_manager.FontProperties:
    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path))


def glyphs_render(text: str) -> bool:
    """Whether every non-space character of `text` has a glyph in the CJK font."""
    face = FT2Font(str(font_path()))
    charmap = face.get_charmap()
    return all(ord(ch) in charmap for ch in text if not ch.isspace())


@dataclass(frozen=True)
class Chart:
    png: bytes
    svg: str
    bars: int = 0  # how many bars were drawn (a ranking chart)


def _render(fig: Figure) -> Chart:
    png, svg = io.BytesIO(), io.StringIO()
    fig.savefig(png, format="png", dpi=DPI)
    fig.savefig(svg, format="svg")
    return Chart(png.getvalue(), svg.getvalue())


def _percent(value: float | None) -> float:
    return 0.0 if value is None else round(value * 100, 2)


def trend(title: str, days: Sequence[str], series: dict[str, Sequence[float | None]]) -> Chart:
    """One line per rate across the month's days (a gap where nothing was due)."""
    prop = _font()
    fig = Figure(figsize=(9, 4))
    ax = fig.subplots()
    xs = list(range(len(days)))
    for name, values in series.items():
        ax.plot(xs, [None if v is None else v * 100 for v in values], marker="o",
                markersize=3, label=name, color=LINE_COLOURS.get(name))
    ax.set_title(title, fontproperties=prop)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%", fontproperties=prop)
    step = max(1, len(days) // 10)
    ax.set_xticks(xs[::step], [d[5:] for d in days][::step])
    ax.grid(alpha=0.3)
    ax.legend(prop=prop, loc="lower left")
    fig.tight_layout()
    return _render(fig)


def ranking(title: str, labels: Sequence[str], values: Sequence[float | None],
            unranked: Sequence[str] = ()) -> Chart:
    """Horizontal bars, best on top; units under the minimum sample are named below."""
    prop = _font()
    shown = [(label, _percent(v)) for label, v in zip(labels, values, strict=True)]
    fig = Figure(figsize=(8, 1.2 + 0.5 * max(1, len(shown))))
    ax = fig.subplots()
    ys = list(range(len(shown)))[::-1]
    ax.barh(ys, [v for _, v in shown], color=BAR_COLOUR, height=0.6)
    ax.set_yticks(ys, [label for label, _ in shown], fontproperties=prop)
    for y, (_, v) in zip(ys, shown, strict=True):
        ax.text(v + 0.5, y, f"{v:.1f}%", va="center", fontproperties=prop, fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_title(title, fontproperties=prop)
    if unranked:
        ax.set_xlabel("样本不足，未排名: " + "、".join(unranked), fontproperties=prop)
    fig.tight_layout()
    chart = _render(fig)
    return Chart(chart.png, chart.svg, bars=sum(1 for _, v in shown if v > 0))


def heat(title: str, grids: Sequence[str], categories: Sequence[str],
         counts: Sequence[Sequence[int]]) -> Chart:
    """Issues received per category (columns) and grid (rows)."""
    prop = _font()
    fig = Figure(figsize=(1.5 + 0.9 * max(1, len(categories)), 1.5 + 0.5 * max(1, len(grids))))
    ax = fig.subplots()
    image = ax.imshow(counts or [[0]], cmap="Reds", aspect="auto")
    ax.set_xticks(range(len(categories)), categories, fontproperties=prop, rotation=30,
                  ha="right")
    ax.set_yticks(range(len(grids)), grids, fontproperties=prop)
    for r, row in enumerate(counts):
        for c, n in enumerate(row):
            ax.text(c, r, str(n), ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax)
    ax.set_title(title, fontproperties=prop)
    fig.tight_layout()
    return _render(fig)
