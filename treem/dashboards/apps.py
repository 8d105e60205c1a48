from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "treem.dashboards"
    label = "dashboards"
    verbose_name = "Bảng điều khiển"
