"""Geometry of the small server-rendered SVG bar charts (no JavaScript needed to read them)."""

import math
from dataclasses import dataclass, field
from datetime import date


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above value (at least 1), for the y axis."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class Bar:
    day: date
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    label: str
    x: float = 0.0
    y: float = 0.0


@dataclass
class BarChart:
    """Bars for [(day, value)], in a viewBox of `width` × `height` with room for the axes."""

    points: list[tuple[date, int]]
    width: int = 720
    height: int = 220
    left: int = 44
    right: int = 8
    top: int = 10
    bottom: int = 26
    bars: list[Bar] = field(init=False)
    y_ticks: list[Tick] = field(init=False)
    x_ticks: list[Tick] = field(init=False)

    def __post_init__(self):
        values = [value for _, value in self.points]
        self.total = sum(values)
        self.peak = max(values, default=0)
        self.peak_day = next((day for day, value in self.points if value == self.peak), None)
        self.y_max = nice_ceiling(self.peak)
        plot_w = self.width - self.left - self.right
        plot_h = self.height - self.top - self.bottom
        self.baseline = self.top + plot_h
        self.plot_right = self.width - self.right
        slot = plot_w / max(len(self.points), 1)
        gap = min(4.0, slot * 0.2)
        self.bars = []
        for i, (day, value) in enumerate(self.points):
            h = plot_h * value / self.y_max
            self.bars.append(
                Bar(
                    day=day,
                    value=value,
                    x=round(self.left + i * slot + gap / 2, 2),
                    y=round(self.baseline - h, 2),
                    width=round(slot - gap, 2),
                    height=round(h, 2),
                )
            )
        self.y_ticks = [
            Tick(label=f"{v:,}", y=round(self.baseline - plot_h * v / self.y_max, 2))
            for v in sorted({0, self.y_max // 2, self.y_max})
        ]
        # A date label every 7 days, counted back from the last day so today is labelled.
        last = len(self.points) - 1
        self.x_ticks = [
            Tick(label=_short_date(self.points[i][0]), x=round(bar.x + bar.width / 2, 2))
            for i, bar in enumerate(self.bars)
            if (last - i) % 7 == 0
        ]


def _short_date(day: date) -> str:
    return f"{day:%b} {day.day}"
