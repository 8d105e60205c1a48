"""Form widgets shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django import forms


class DataSelect(forms.Select):
    """A select whose options are data — names of units, villages, agencies, ethnic groups, people — marked with
    the HTML attribute ``translate="no"``: the English interface leaves them as they are written."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__(attrs={"translate": "no", **(attrs or {})}, choices=choices)
