"""Geometry of the server-rendered SVG bar chart of scans per day
(templates/components/scan_chart.html draws it, no chart library; static/js/app.js adds the
value tooltip and arrow-key moves between the days, the chart reads without it).

The per-day parts (a focusable group with its title per bar, a table row per day) are built
here as markup, once per chart: a template loop with a `date` filter and a dozen variables per
day cost more than all the rest of the dashboard's rendering."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe

from flowadmin.escaping import escape

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
    title: str = ""  # what the bar says: "Sat 7 Nov: 295 scans"
    long_day: str = ""  # the table's day: "Sat 7 Nov 2026"


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class DateLabel:
    day: datetime.date
    x: float
    text: str = ""  # "7 Nov"


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
    tick_label_x: int = PAD_LEFT - 6  # the y axis' labels end here
    date_label_y: int = HEIGHT - 8  # the x axis' date labels' baseline

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    def days_html(self) -> SafeString:
        """The bars as SVG list items (safe markup): each day a group with its title, focusable
        by the arrow keys (only the last day is a tab stop), its column and its bar. Formatted
        directly (numbers need no escaping; the titles are escaped): through format_html each
        of the 300 values went through conditional_escape, a third of the chart's time."""
        last = len(self.bars) - 1
        top, plot_height = self.top, self.plot_height
        return mark_safe(
            "\n".join(
                f'<g class="day" role="listitem" tabindex="{0 if index == last else -1}">'
                f"<title>{escape(bar.title)}</title>"
                f'<rect class="slot" x="{bar.slot_x}" y="{top}" width="{bar.slot_width}" '
                f'height="{plot_height}"/>'
                f'<rect class="bar" x="{bar.x}" y="{bar.y}" width="{bar.width}" '
                f'height="{bar.height}"/></g>'
                for index, bar in enumerate(self.bars)
            )
        )

    def table_html(self) -> SafeString:
        """The same numbers as table rows (safe markup): day, scans."""
        return mark_safe(
            "\n".join(
                f'<tr><td>{escape(bar.long_day)}</td><td class="num">{bar.count}</td></tr>'
                for bar in self.bars
            )
        )


class DayNames:
    """The day and month abbreviations of the active language, as Django's `date` filter prints
    them ("D", "M"), translated once per chart instead of once per day."""

    def __init__(self):
        self.weekdays = [str(WEEKDAYS_ABBR[n]) for n in range(7)]
        self.months = [str(MONTHS_3[n]).title() for n in range(1, 13)]

    def short(self, day: datetime.date) -> str:
        """ "j M": "7 Nov"."""
        return f"{day.day} {self.months[day.month - 1]}"

    def weekday(self, day: datetime.date) -> str:
        """ "D j M": "Sat 7 Nov"."""
        return f"{self.weekdays[day.weekday()]} {self.short(day)}"


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
    names = DayNames()
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
                title=f"{names.weekday(day)}: {count} scan{'' if count == 1 else 's'}",
                long_day=f"{names.weekday(day)} {day.year}",
            )
        )
    ticks = [
        Tick(value, round(PAD_TOP + plot_height - plot_height * value / top, 2))
        for value in range(0, top + 1, step)
    ]
    every = label_every or max(1, math.ceil(len(points) / 8))
    labels = [
        DateLabel(day, round(PAD_LEFT + index * slot + slot / 2, 2), names.short(day))
        for index, (day, _count) in enumerate(points)
        if index % every == 0
    ]
    return BarChart(bars=bars, ticks=ticks, labels=labels)
