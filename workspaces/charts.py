"""Geometry of the server-rendered SVG bar chart of scans per day
(templates/components/scan_chart.html draws it, no chart library; static/js/app.js adds the
value tooltip and arrow-key moves between the days, the chart reads without it)."""

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
    slot_x: float  # the day's whole column (hover and focus target), left edge and width
    slot_width: float


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
    top: int = PAD_TOP
    plot_height: int = HEIGHT - PAD_TOP - PAD_BOTTOM

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


MAX_INTERVALS = 5  # at most 5 steps between the y axis' 0 and its top (6 labels)


def y_axis(value: int) -> tuple[int, int]:
    """(top, step) of the y axis for a largest count `value` (scans, >= 0): the step is the
    smallest of 1, 2, 5 × 10^k (whole scans) giving at most MAX_INTERVALS steps, the top the
    first multiple of the step >= value, and at least two steps. E.g. 3 → (3, 1), 7 → (8, 2),
    23 → (25, 5), 120 → (150, 50)."""
    step = 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(value / step) <= MAX_INTERVALS:
                return max(step * math.ceil(value / step), 2 * step), step
        magnitude *= 10


def bar_chart(points: list[tuple[datetime.date, int]], *, label_every: int | None = None):
    """Bars for [(day, count)], a y axis labelled every round step (y_axis), and a few date
    labels. Geometry in the SVG's user units (WIDTH × HEIGHT)."""
    top, step = y_axis(max((count for _day, count in points), default=0))
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
                slot_x=round(PAD_LEFT + index * slot, 2),
                slot_width=round(slot, 2),
            )
        )
    ticks = [
        Tick(value, round(PAD_TOP + plot_height - plot_height * value / top, 2))
        for value in range(0, top + 1, step)
    ]
    every = label_every or max(1, math.ceil(len(points) / 8))
    labels = [
        DateLabel(day, round(PAD_LEFT + index * slot + slot / 2, 2))
        for index, (day, _count) in enumerate(points)
        if index % every == 0
    ]
    return BarChart(bars=bars, ticks=ticks, labels=labels)
