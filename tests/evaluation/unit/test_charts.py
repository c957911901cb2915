"""The charts: a PNG opened (size, not blank, the expected number of bars), an SVG, and
the CJK font's glyphs for the Chinese labels (no tofu)."""

from __future__ import annotations

import io

from PIL import Image

from services.evaluation import charts

RED = (0xC0, 0x39, 0x2B)


def _bars_down(image: Image.Image, colour: tuple[int, int, int]) -> int:
    """The number of horizontal bars: stretches of `colour` down one column near the axis."""
    column = next(x for x in range(image.width)
                  if any(_is(image.getpixel((x, y)), colour) for y in range(image.height)))
    runs, inside = 0, False
    for y in range(image.height):
        hit = _is(image.getpixel((column + 2, y)), colour)
        runs += hit and not inside
        inside = hit
    return runs


def _is(pixel, colour) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(pixel[:3], colour, strict=True))


def test_the_ranking_chart_has_one_bar_per_ranked_unit_and_chinese_labels():
    labels = ["阳光社区", "幸福里社区", "和平社区", "东湖社区", "西城社区"]
    chart = charts.ranking("2026年11月 满意率排名", labels, [0.97, 0.93, 0.9, 0.85, 0.8],
                           unranked=["新村社区"])
    opened = Image.open(io.BytesIO(chart.png))
    assert opened.format == "PNG"
    image = opened.convert("RGB")
    assert image.size == (800, int(100 * (1.2 + 0.5 * 5)))
    assert len(set(image.getdata())) > 50  # not blank
    assert chart.bars == 5 and _bars_down(image, RED) == 5
    assert chart.svg.startswith("<?xml") and "<svg" in chart.svg
    assert charts.glyphs_render("".join(labels) + "满意率排名样本不足未排名响应解决")


def test_the_trend_and_heat_charts_render():
    days = [f"2026-11-{d:02d}" for d in range(1, 31)]
    trend = charts.trend("阳光社区 11月 三率", days, {
        "响应率": [0.9] * 30, "解决率": [0.8] * 15 + [None] * 15, "满意率": [0.95] * 30})
    image = Image.open(io.BytesIO(trend.png))
    assert image.size == (900, 400) and len(set(image.convert("RGB").getdata())) > 50
    heat = charts.heat("类别×网格", ["一网格", "二网格"], ["路灯", "噪音", "停车"],
                       [[1, 0, 5], [2, 3, 0]])
    assert Image.open(io.BytesIO(heat.png)).size[0] > 0 and "<svg" in heat.svg


def test_a_character_the_font_lacks_is_reported_not_drawn_as_a_box():
    assert not charts.glyphs_render("\U0001F9FF")  # an emoji Noto Sans CJK does not have
