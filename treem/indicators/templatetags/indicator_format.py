"""Template filters for figures: Vietnamese number formatting ("1.234,5"), statuses, sparklines."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

STATUS_CLASSES = {"achieved": "st-achieved", "on_track": "st-on-track", "at_risk": "st-at-risk",
                  "off_track": "st-off-track", "no_data": "st-no-data"}


def vn_number(value: Fraction | Decimal | int | float | None, places: int = 1) -> str:
    """"1.234,5": a dot between thousands, a comma before decimals; an em dash for a missing value."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Fraction):
        number = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        number = Decimal(str(value))
    quantum = Decimal(1).scaleb(-places) if places > 0 else Decimal(1)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    whole, _, decimals = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{decimals}" if decimals else f"{sign}{text}"


@register.filter
def vn(value: Any, places: int = 1) -> str:
    return vn_number(value, int(places))


@register.filter
def vn_int(value: Any) -> str:
    return vn_number(value, 0)


@register.filter
def status_class(status: str | None) -> str:
    return STATUS_CLASSES.get(str(status or "no_data"), "st-no-data")


@register.filter
def signed(value: Fraction | None, places: int = 1) -> str:
    if value is None:
        return "—"
    text = vn_number(value, int(places))
    return text if text.startswith("−") else f"+{text}"


@register.simple_tag
def sparkline(trend: Sequence[tuple[int, Any]], target: Any = None, width: int = 120, height: int = 32
              ) -> SafeString:
    """A small inline SVG line of the values by year (gaps left open), with the target as a dotted line."""
    points = [(year, float(figure.value)) for year, figure in trend
              if figure is not None and figure.value is not None]
    if not points:
        return format_html('<svg class="spark" width="{}" height="{}" role="img" aria-label="{}"></svg>',
                           width, height, "Chưa có số liệu")
    years = [year for year, _ in trend]
    values = [value for _, value in points]
    target_value = float(target) if target is not None else None
    low = min([*values, target_value] if target_value is not None else values)
    high = max([*values, target_value] if target_value is not None else values)
    if high - low < 1:
        low, high = low - 0.5, high + 0.5
    span_years = max(1, years[-1] - years[0])

    def x(year: int) -> float:
        return round(2 + (width - 4) * (year - years[0]) / span_years, 1)

    def y(value: float) -> float:
        return round(height - 3 - (height - 6) * (value - low) / (high - low), 1)

    segments: list[list[str]] = [[]]
    valued = dict(points)
    for year in years:
        if year in valued:
            segments[-1].append(f"{x(year)},{y(valued[year])}")
        elif segments[-1]:
            segments.append([])
    lines = "".join(f'<polyline points="{" ".join(segment)}"/>' for segment in segments if segment)
    last_year, last_value = points[-1]
    dot = f'<circle cx="{x(last_year)}" cy="{y(last_value)}" r="2.5"/>'
    goal = (f'<line class="goal" x1="0" x2="{width}" y1="{y(target_value)}" y2="{y(target_value)}"/>'
            if target_value is not None else "")
    label = gettext("Xu hướng") + " " + ", ".join(f"{year}: {vn_number(value)}" for year, value in points)
    return SafeString(f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
                      f'role="img" aria-label="{label}">{goal}{lines}{dot}</svg>')
