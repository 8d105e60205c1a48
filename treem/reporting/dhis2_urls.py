"""DHIS2-compatible URLs, mounted at ``/api/`` beside (not inside) treem's own ``/api/v1/``."""

from django.urls import path

from treem.reporting import api_dhis2

app_name = "dhis2"

urlpatterns = [
    path("dataValueSets", api_dhis2.data_value_sets, name="data_value_sets"),
    path("dataValueSets.json", api_dhis2.data_value_sets, name="data_value_sets_json"),
    path("system/info", api_dhis2.system_info_view, name="system_info"),
]
