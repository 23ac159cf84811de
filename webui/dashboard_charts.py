"""The Tablero's charts as geometry for inline SVG: the server draws them, the browser runs no script.

Each builder turns report figures into frozen shapes (bars with their tooltip, ticks, labels) in a fixed
``viewBox``; the template only writes them out, and a data table for each chart sits next to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.casos.reports import UNITS, CycleTime, OpenCount, WeekBreaches

# viewBox widths close to the drawn widths, so 12-unit text stays about 12 px: half-width cards for the bar charts
# by type, the whole row for the weeks.
BAR_WIDTH, COLUMN_WIDTH = 580, 1100
# Okabe-Ito colours: told apart with the common colour-vision deficiencies; a unit always has the same one.
UNIT_COLOURS = {"cartera": "#0072B2", "tesoreria": "#E69F00", "credito": "#009E73", "facturacion": "#CC79A7"}
OTHER_COLOUR = "#56B4E9"
MEDIAN_COLOUR, P90_COLOUR = "#0b5cad", "#9cc3ea"
LABEL_CHARS = 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str  # the tooltip: what the bar counts, in words


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    title: str = ""  # the full text when ``text`` is shortened
    css: str = ""


@dataclass(frozen=True)
class Tick:
    x1: float
    y1: float
    x2: float
    y2: float
    label: Label


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    ticks: list[Tick]
    axis: tuple[float, float, float, float]  # x1, y1, x2, y2 of the baseline
    legend: list[LegendItem]

    @property
    def empty(self) -> bool:
        return not self.bars


def unit_label(unit: str) -> str:
    return UNITS.get(unit, unit)


def unit_colour(unit: str) -> str:
    return UNIT_COLOURS.get(unit, OTHER_COLOUR)


def number(value: float, decimals: int = 1) -> str:
    """Spanish style: decimal comma, dot for thousands ("1.234,5")."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def duration(hours: float) -> str:
    """Hours under two days, days from there: what a unit head would say."""
    return f"{number(hours)} h" if hours < 48 else f"{number(hours / 24)} días"


def nice_scale(top: float, steps: int = 5) -> tuple[float, float]:
    """An axis maximum >= ``top`` and a step of 1, 2 or 5 times a power of ten, about ``steps`` ticks."""
    if top <= 0:
        return 1.0, 1.0
    raw = top / steps
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return math.ceil(top / step) * step, step


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def _units_in(units: Sequence[str]) -> list[str]:
    """The units present, the four known ones first in their usual order."""
    known = [u for u in UNIT_COLOURS if u in units]
    return known + sorted(set(units) - set(known))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _x_ticks(left: float, right: float, top_y: float, bottom_y: float, maximum: float, step: float,
             fmt: str = "count") -> list[Tick]:
    ticks = []
    for i in range(round(maximum / step) + 1):
        value = i * step
        x = left + (right - left) * value / maximum
        text = f"{int(value)}" if fmt == "count" else number(value, 0 if step >= 1 else 1)
        ticks.append(Tick(x, top_y, x, bottom_y, Label(x, bottom_y + 16, text, "middle")))
    return ticks


def open_cases_chart(counts: Sequence[OpenCount]) -> Chart:
    """Horizontal bars, one per case type, split by unit."""
    types: dict[str, str] = {}
    for c in counts:
        types.setdefault(c.case_type, c.type_name)
    units = _units_in([c.unit for c in counts])
    left, right, top, row = 200.0, BAR_WIDTH - 40.0, 8.0, 30.0
    height = int(top + row * max(len(types), 1) + 30)
    totals = {t: sum(c.count for c in counts if c.case_type == t) for t in types}
    maximum, step = nice_scale(max(totals.values(), default=0))
    bottom = top + row * len(types)
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, (case_type, name) in enumerate(types.items()):
        y = top + i * row + 6
        x = left
        for unit in units:
            n = next((c.count for c in counts if c.case_type == case_type and c.unit == unit), 0)
            if n:
                width = (right - left) * n / maximum
                bars.append(Bar(x, y, width, row - 12, unit_colour(unit),
                                f"{name} · {unit_label(unit)}: {_plural(n, 'caso abierto', 'casos abiertos')}"))
                x += width
        labels.append(Label(left - 8, y + (row - 12) / 2 + 4, _short(name), "end", name))
        labels.append(Label(x + 6, y + (row - 12) / 2 + 4, str(totals[case_type]), css="value"))
    ticks = _x_ticks(left, right, top, bottom, maximum, step)
    legend = [LegendItem(unit_label(u), unit_colour(u)) for u in units]
    return Chart(BAR_WIDTH, height, bars, labels, ticks, (left, top, left, bottom), legend)


def cycle_chart(cycle: Sequence[CycleTime]) -> Chart:
    """Per type two bars: the median and the 90th percentile of the cycle, in days (hours when all are short)."""
    in_days = any(c.p90_hours >= 48 for c in cycle)
    scale = 24.0 if in_days else 1.0
    left, right, top, row = 200.0, BAR_WIDTH - 70.0, 8.0, 38.0
    height = int(top + row * max(len(cycle), 1) + 46)
    maximum, step = nice_scale(max((c.p90_hours / scale for c in cycle), default=0))
    bottom = top + row * len(cycle)
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, c in enumerate(cycle):
        y = top + i * row + 5
        cases = _plural(c.count, "caso cerrado", "casos cerrados")
        for j, (hours, colour, what) in enumerate(((c.median_hours, MEDIAN_COLOUR, "Mediana"),
                                                   (c.p90_hours, P90_COLOUR, "Percentil 90"))):
            width = (right - left) * (hours / scale) / maximum
            bar_y = y + j * 14
            bars.append(Bar(left, bar_y, width, 12, colour, f"{c.type_name} · {what}: {duration(hours)} ({cases})"))
            labels.append(Label(left + width + 6, bar_y + 10, duration(hours), css="value"))
        labels.append(Label(left - 8, y + 17, _short(c.type_name), "end", c.type_name))
    ticks = _x_ticks(left, right, top, bottom, maximum, step, fmt="number")
    middle = (left + right) / 2
    ticks.append(Tick(middle, bottom, middle, bottom, Label(middle, bottom + 34, "días" if in_days else "horas",
                                                            "middle", css="axis-label")))
    legend = [LegendItem("Mediana", MEDIAN_COLOUR), LegendItem("Percentil 90", P90_COLOUR)]
    return Chart(BAR_WIDTH, height, bars, labels, ticks, (left, top, left, bottom), legend)


def breaches_chart(weeks: Sequence[WeekBreaches]) -> Chart:
    """One column per week, split by unit, its total above it."""
    units = _units_in([u for w in weeks for u in w.by_unit])
    left, right, top, plot, height = 40.0, COLUMN_WIDTH - 10.0, 22.0, 200.0, 268
    bottom = top + plot
    maximum, step = nice_scale(max((w.total for w in weeks), default=0), 4)
    slot = (right - left) / max(len(weeks), 1)
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, week in enumerate(weeks):
        x = left + i * slot + slot * 0.2
        y = bottom
        monday = week.week.strftime("%d/%m")
        for unit in units:
            n = week.by_unit.get(unit, 0)
            if n:
                h = plot * n / maximum
                y -= h
                bars.append(Bar(x, y, slot * 0.6, h, unit_colour(unit),
                                f"Semana del {week.week.strftime('%d/%m/%Y')} · {unit_label(unit)}: "
                                f"{_plural(n, 'vencimiento', 'vencimientos')}"))
        if week.total:
            labels.append(Label(x + slot * 0.3, y - 5, str(week.total), "middle", css="value"))
        labels.append(Label(x + slot * 0.3, bottom + 16, monday, "middle", f"Semana del {week.week:%d/%m/%Y}",
                            css="axis-label"))
    ticks = []
    for k in range(round(maximum / step) + 1):
        value = k * step
        y = bottom - plot * value / maximum
        ticks.append(Tick(left, y, right, y, Label(left - 6, y + 4, f"{int(value)}", "end")))
    legend = [LegendItem(unit_label(u), unit_colour(u)) for u in units]
    return Chart(COLUMN_WIDTH, height, bars, labels, ticks, (left, bottom, right, bottom), legend)


@dataclass(frozen=True)
class OpenTable:
    """The open-cases chart's figures as a table: a row per type, a column per unit, with totals."""

    units: list[str]
    rows: list[tuple[str, list[int], int]]  # type name, count per unit, total
    totals: list[int]
    total: int


def open_table(counts: Sequence[OpenCount]) -> OpenTable:
    units = _units_in([c.unit for c in counts])
    names: dict[str, str] = {}
    for c in counts:
        names.setdefault(c.case_type, c.type_name)
    cell = {(c.case_type, c.unit): c.count for c in counts}
    rows = [(name, [cell.get((t, u), 0) for u in units], sum(cell.get((t, u), 0) for u in units))
            for t, name in names.items()]
    totals = [sum(cell.get((t, u), 0) for t in names) for u in units]
    return OpenTable([unit_label(u) for u in units], rows, totals, sum(totals))


def week_units(weeks: Sequence[WeekBreaches]) -> list[tuple[str, str]]:
    """(unit, label) of the units with a breach in ``weeks``: the columns of the breaches' table."""
    return [(u, unit_label(u)) for u in _units_in([u for w in weeks for u in w.by_unit])]
