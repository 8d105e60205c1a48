from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "treem.dashboards"
    label = "dashboards"
    verbose_name = _("Bảng điều khiển")

    def ready(self) -> None:
        from treem.core.access import AUTHENTICATED
        from treem.core.extensions import register_navigation

        register_navigation("dashboards:home", label=_("Tổng quan"), capability=AUTHENTICATED, order=0)
