"""Script tags for assets that come from installed packages (no CDN)."""

from __future__ import annotations

import plotly
from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def plotly_url() -> str:
    """The address of plotly.js on this server; the version in it keeps the year-long cache safe."""
    return f"{reverse('plotly_js')}?v={plotly.__version__}"


@register.simple_tag
def plotly_script() -> SafeString:
    return format_html('<script src="{}" defer></script>', plotly_url())
