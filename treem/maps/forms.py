"""The boundary upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from treem.maps.geometry import BOUNDARY_SUFFIXES

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp ranh giới (GeoJSON hoặc Shapefile nén .zip)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(BOUNDARY_SUFFIXES)}))
    hierarchy_on = forms.DateField(
        label=_("Các đơn vị hành chính ngày"), input_formats=DATE_INPUT_FORMATS,
        help_text=_("Ví dụ 30/06/2025 cho 106 xã và 8 huyện cũ, 01/07/2025 cho 38 xã mới."),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
