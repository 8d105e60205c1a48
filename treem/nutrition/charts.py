"""Growth charts of one child as plotly.js figure specifications (data and layout), drawn in the browser.

Each chart shows WHO's −3…+3 SD curves for the child's sex and the child's own points. Weight-for-length is drawn
for measurements before 2 years (731 days) and weight-for-height from then, as WHO's charts are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from django.utils.translation import gettext_lazy

from treem.nutrition.growth_curves import Chart, reference_curves
from treem.nutrition.models import Measurement
from treem.nutrition.zscores import DAYS_PER_MONTH, LENGTH_HEIGHT_SWITCH_DAY, Sex

SD_STYLES: Final = {
    3: ("#1d2733", "dot"), 2: ("#b42318", "dash"), 1: ("#c98a00", "dot"), 0: ("#1e7b34", "solid"),
    -1: ("#c98a00", "dot"), -2: ("#b42318", "dash"), -3: ("#1d2733", "dot"),
}
AXIS_TITLES: Final = {
    Chart.WEIGHT_FOR_AGE: (gettext_lazy("Tuổi (tháng)"), gettext_lazy("Cân nặng (kg)")),
    Chart.LENGTH_HEIGHT_FOR_AGE: (gettext_lazy("Tuổi (tháng)"), gettext_lazy("Chiều dài/chiều cao (cm)")),
    Chart.WEIGHT_FOR_LENGTH: (gettext_lazy("Chiều dài (cm)"), gettext_lazy("Cân nặng (kg)")),
    Chart.WEIGHT_FOR_HEIGHT: (gettext_lazy("Chiều cao (cm)"), gettext_lazy("Cân nặng (kg)")),
}
SCORE_OF: Final = {
    Chart.WEIGHT_FOR_AGE: "waz", Chart.LENGTH_HEIGHT_FOR_AGE: "haz",
    Chart.WEIGHT_FOR_LENGTH: "whz", Chart.WEIGHT_FOR_HEIGHT: "whz",
}


def _sd_label(deviations: int) -> str:
    return "Trung vị" if deviations == 0 else f"{deviations:+d} SD".replace("-", "−")


def _score_text(value: object) -> str:
    return "—" if value is None else f"{float(str(value)):.2f}".replace(".", ",").replace("-", "−")


def _points(chart: Chart, measurements: Sequence[Measurement], adjusted: dict[int, float]
            ) -> tuple[list[float], list[float], list[str]]:
    xs: list[float] = []
    ys: list[float] = []
    texts: list[str] = []
    for item in measurements:
        length = adjusted.get(item.pk)
        if chart.is_age_based:
            if item.age_days is None:
                continue
            x = item.age_days / DAYS_PER_MONTH
            y = float(item.weight_kg) if chart is Chart.WEIGHT_FOR_AGE and item.weight_kg else length
        else:
            before_two = item.age_days is not None and item.age_days < LENGTH_HEIGHT_SWITCH_DAY
            wanted = Chart.WEIGHT_FOR_LENGTH if (before_two or (item.age_days is None and item.position == "L")) \
                else Chart.WEIGHT_FOR_HEIGHT
            if chart is not wanted or length is None or item.weight_kg is None:
                continue
            x, y = length, float(item.weight_kg)
        if y is None:
            continue
        xs.append(round(x, 2))
        ys.append(round(y, 2))
        score = getattr(item, SCORE_OF[chart])
        flag = " (ngoài khoảng hợp lý)" if getattr(item, f"flag_{SCORE_OF[chart]}") else ""
        texts.append(f"{item.measured_on:%d/%m/%Y}: {SCORE_OF[chart].upper()} {_score_text(score)}{flag}")
    return xs, ys, texts


def growth_figures(*, sex: str, measurements: Sequence[Measurement], adjusted: dict[int, float]
                   ) -> list[dict[str, Any]]:
    """One figure per chart that has points (weight- and length-for-age always), for ``Plotly.newPlot``."""
    who_sex = Sex.MALE if sex == "M" else Sex.FEMALE
    colour = "#0b5cad" if who_sex is Sex.MALE else "#b8337a"
    figures = []
    for chart in Chart:
        xs, ys, texts = _points(chart, measurements, adjusted)
        if not chart.is_age_based and not xs:
            continue
        curves = reference_curves(chart, who_sex)
        traces: list[dict[str, Any]] = []
        for deviations in sorted(curves.lines, reverse=True):
            line_colour, dash = SD_STYLES[deviations]
            traces.append({
                "type": "scatter", "mode": "lines", "name": _sd_label(deviations), "x": list(curves.x),
                "y": list(curves.lines[deviations]), "hoverinfo": "skip",
                "line": {"color": line_colour, "dash": dash, "width": 2 if deviations in (0, -2, 2) else 1},
            })
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": "Trẻ", "x": xs, "y": ys, "text": texts,
            "hovertemplate": "%{text}<br>%{x:.1f}; %{y:.1f}<extra></extra>",
            "marker": {"size": 8, "color": colour}, "line": {"color": colour, "width": 2},
        })
        x_title, y_title = (str(title) for title in AXIS_TITLES[chart])
        figures.append({
            "id": chart.value,
            "title": chart.title,
            "data": traces,
            "layout": {
                "title": {"text": chart.title, "font": {"size": 15}},
                "xaxis": {"title": {"text": x_title}, "zeroline": False},
                "yaxis": {"title": {"text": y_title}, "zeroline": False},
                "margin": {"l": 55, "r": 10, "t": 40, "b": 45},
                "height": 380,
                "legend": {"orientation": "v"},
                "separators": ",.",
            },
        })
    return figures
