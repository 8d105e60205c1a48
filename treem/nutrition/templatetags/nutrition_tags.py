"""Showing z-scores: Vietnamese number format, a colour by classification and a mark for flagged values."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from treem.nutrition.checks import format_number

register = template.Library()


@register.simple_tag
def zscore(value: Decimal | float | None, flagged: bool = False) -> SafeString:
    """``<span class="z z-…">−2,15</span>``: z-severe below −3, z-moderate below −2; ⚑ when flagged."""
    if value is None:
        return format_html('<span class="z z-blank" title="{}">—</span>', "không tính được")
    number = float(value)
    css = "z-severe" if number < -3 else "z-moderate" if number < -2 else "z-normal"
    if flagged:
        return format_html('<span class="z z-flagged" title="{}">{} ⚑</span>',
                           "ngoài khoảng hợp lý, không tính vào tỷ lệ", format_number(number, 2))
    return format_html('<span class="z {}">{}</span>', css, format_number(number, 2))


@register.filter
def vn_number(value: Decimal | float | str | None, decimals: int = 1) -> str:
    """"12,5" for 12.5; "" for None."""
    return "" if value is None or value == "" else format_number(float(value), decimals)


@register.filter
def months(age_days: int | str | None) -> str:
    """Age in completed months from days ("—" when unknown)."""
    return "—" if age_days is None or age_days == "" else str(int(int(age_days) / 30.4375))


@register.filter
def measure(value: Decimal | str | None) -> str:
    """A stored weight or length as typed: "12,5" for 12.50, "12,25", "12" for 12.00; "" for None."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")
