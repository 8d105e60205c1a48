"""DHIS2-compatible URLs, mounted at ``/api/`` beside (not inside) treem's own ``/api/v1/``.

Each also answers with the ``.json`` suffix and under an API version (``/api/40/dataElements.json``), the forms
DHIS2 clients use."""

from django.urls import re_path

from treem.reporting import api_dhis2

app_name = "dhis2"

VERSION = r"^(?:(?P<version>\d{2})/)?"
KINDS = r"(?P<kind>dataSets|dataElements|dataElementGroups|categoryCombos|organisationUnits)"

urlpatterns = [
    re_path(VERSION + r"dataValueSets(?:\.json)?$", api_dhis2.data_value_sets, name="data_value_sets"),
    re_path(VERSION + r"system/info(?:\.json)?$", api_dhis2.system_info_view, name="system_info"),
    re_path(VERSION + KINDS + r"(?:\.json)?$", api_dhis2.metadata_list, name="metadata_list"),
    re_path(VERSION + KINDS + r"/(?P<uid>[A-Za-z][A-Za-z0-9]{10})(?:\.json)?$", api_dhis2.metadata_object,
            name="metadata_object"),
]
