"""Geometry of the server-rendered SVG bar chart of scans per day
(templates/components/scan_chart.html draws it; no JavaScript, no chart library)."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

WIDTH = 720
HEIGHT = 220
PAD_LEFT = 44  # room for the y-axis labels
PAD_RIGHT = 8
PAD_TOP = 10
PAD_BOTTOM = 26  # room for the date labels


@dataclass(frozen=True)
class Bar:
    day: datetime.date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class DateLabel:
    day: datetime.date
    x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[DateLabel]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - PAD_BOTTOM
    left: int = PAD_LEFT
    right: int = WIDTH - PAD_RIGHT

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


NICE_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_ceiling(value: int) -> int:
    """The top of the y axis: the smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 ×
    10^k, a whole number) that is >= value, and at least 4."""
    if value <= 4:
        return 4
    magnitude = 10 ** math.floor(math.log10(value))
    candidates = (step * magnitude for step in NICE_STEPS)
    return next(int(c) for c in candidates if c >= value and float(c).is_integer())


def bar_chart(points: list[tuple[datetime.date, int]], *, label_every: int | None = None):
    """Bars for [(day, count)], a y axis with 0, half and the top, and a few date labels."""
    top = nice_ceiling(max((count for _day, count in points), default=0))
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    slot = plot_width / max(len(points), 1)
    gap = min(2.0, slot * 0.2)
    bars = []
    for index, (day, count) in enumerate(points):
        height = plot_height * count / top
        bars.append(
            Bar(
                day=day,
                count=count,
                x=round(PAD_LEFT + index * slot + gap / 2, 2),
                y=round(PAD_TOP + plot_height - height, 2),
                width=round(slot - gap, 2),
                height=round(height, 2),
            )
        )
    ticks = [
        Tick(value, round(PAD_TOP + plot_height - plot_height * value / top, 2))
        for value in (0, top // 2, top)
    ]
    every = label_every or max(1, math.ceil(len(points) / 8))
    labels = [
        DateLabel(day, round(PAD_LEFT + index * slot + slot / 2, 2))
        for index, (day, _count) in enumerate(points)
        if index % every == 0
    ]
    return BarChart(bars=bars, ticks=ticks, labels=labels)
