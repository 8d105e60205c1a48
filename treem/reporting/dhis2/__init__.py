"""DHIS2-compatible aggregate exchange: data value sets in DHIS2's JSON and in ADX XML, import and export.

Identifiers (``idScheme`` ``code`` or ``uid``; ``dataElementIdScheme``, ``orgUnitIdScheme`` and
``categoryOptionComboIdScheme`` override it; JSON defaults to uid and ADX to code, as DHIS2 does):

- the **data set** is the plan: code = the plan's code, uid = ``data_set_uid(plan)``;
- a **data element** by its code or ``data_element_uid(element)`` (stable: derived from the code);
- an **org unit** by its statistics-office code, resolved *on the period's reference date* (31 December of the
  year) because codes are reused across the 2025 reorganisation, or by ``OrgUnit.uid``;
- the **category option combo** carries the disaggregation: ``default`` (uid ``HllvX50cXC0``, all children),
  ``SEX_M`` / ``SEX_F``, ``ETH_01`` … ``ETH_54`` (ethnic group by the code of Decision 121), ``SEX_M_ETH_01`` …;
  in ADX the same as the attributes ``SEX`` and ``ETHNIC_GROUP``;
- periods are yearly: ``2026`` (ADX ``2026-01-01/P1Y``).

An import checks every value like the report page does (who may enter it, the validation rules, whether its report
is already submitted or approved, whether the year is locked) and stores the accepted ones with
``enter_data_values``. Refused values come back as *conflicts* (object, value, errorCode) and are not stored.
The answer is DHIS2's envelope around an import summary: HTTP 200 when everything was taken, 409 with status
WARNING when some values were refused, 409 with status ERROR when nothing was taken.

One module per concern: ``formats`` (identifiers, periods, JSON and ADX in and out, ``system/info``),
``importing``, ``exporting`` (with DHIS2's export parameters and error codes), ``metadata`` (the objects a client
reads at start-up) and ``fields`` (DHIS2's field filter, object filter and paging over them); the HTTP endpoints
are in ``reporting/api_dhis2.py``.
"""
from treem.reporting.dhis2.exporting import ExportedSet, ExportRequest, export_request, export_values
from treem.reporting.dhis2.formats import (
    ExchangeError,
    adx_document,
    data_set_uid,
    parse_adx,
    parse_json_set,
    system_info,
)
from treem.reporting.dhis2.importing import import_data_value_set, import_options
from treem.reporting.dhis2.metadata import metadata_collection, metadata_item

__all__ = [
    "ExchangeError",
    "ExportRequest",
    "ExportedSet",
    "adx_document",
    "data_set_uid",
    "export_request",
    "export_values",
    "import_data_value_set",
    "import_options",
    "metadata_collection",
    "metadata_item",
    "parse_adx",
    "parse_json_set",
    "system_info",
]
