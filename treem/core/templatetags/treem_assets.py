"""Script tags for assets that come from installed packages (no CDN)."""

from __future__ import annotations

import plotly
from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from treem.core.views import PLOTLY_STYLE_ID, plotly_injected_style_ids

register = template.Library()


def plotly_url() -> str:
    """The address of plotly.js on this server; the version in it keeps the year-long cache safe."""
    return f"{reverse('plotly_js')}?v={plotly.__version__}"


@register.simple_tag
def plotly_script() -> SafeString:
    """plotly.js, with its stylesheet as a file: the elements plotly.js looks for before injecting inline styles
    (which the Content-Security-Policy refuses) are already there."""
    markers = format_html_join("", '<meta name="plotly-style" id="{}" content="none">',
                               ((style_id,) for style_id in plotly_injected_style_ids()))
    return format_html('<link rel="stylesheet" href="{}?v={}" id="{}" class="no-inline-styles">{}'
                       '<script src="{}" defer></script>',
                       reverse("plotly_css"), plotly.__version__, PLOTLY_STYLE_ID, markers, plotly_url())
