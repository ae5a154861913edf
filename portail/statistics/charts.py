"""Horizontal bar charts drawn on the server, as SVG (no JavaScript).

:func:`bar_chart` turns ``(label, published value)`` lines into the geometry
a template draws; a hidden value ("< 5", "hidden") has no bar, only its
text, so a chart never shows more than the table beside it.
"""
from dataclasses import dataclass

from portail.statistics.tables import shown_text

LABEL_WIDTH = 190
BAR_WIDTH = 300
VALUE_WIDTH = 70
ROW_HEIGHT = 26
WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    row_height: int = ROW_HEIGHT


def bar_chart(title, lines, threshold, translate):
    """The chart of ``lines`` (label, int or suppression status)."""
    largest = max((v for _, v in lines if isinstance(v, int)), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(lines):
        width = round(BAR_WIDTH * value / largest) if isinstance(value, int) else 0
        bars.append(Bar(translate(label), shown_text(value, threshold, translate),
                        index * ROW_HEIGHT, width))
    return Chart(translate(title), tuple(bars), len(bars) * ROW_HEIGHT + 4)
