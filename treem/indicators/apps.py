from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "treem.indicators"
    label = "indicators"
    verbose_name = _("Chỉ tiêu và số liệu")

    def ready(self) -> None:
        from treem.core.extensions import register_demo_seeder, register_navigation
        from treem.indicators import engine  # noqa: F401  (registers hierarchy.count_communes)
        from treem.indicators.demo import seed_demo_values
        from treem.indicators.permissions import VIEW_INDICATORS

        register_navigation("indicators:overview", label=_("Chỉ tiêu"), capability=VIEW_INDICATORS, order=100)
        register_demo_seeder("số liệu chỉ tiêu", seed_demo_values, order=50)
