from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NutritionConfig(AppConfig):
    name = "treem.nutrition"
    label = "nutrition"
    verbose_name = _("Dinh dưỡng")

    def ready(self) -> None:
        from treem.core.extensions import register_demo_seeder, register_navigation
        from treem.nutrition import derived, importing
        from treem.nutrition.demo import seed_measurements
        from treem.nutrition.permissions import RECORD_MEASUREMENTS, VIEW_MEASUREMENTS

        derived.register()
        importing.register()
        register_navigation("nutrition:index", label=_("Dinh dưỡng"), capability=VIEW_MEASUREMENTS, order=300)
        register_navigation("nutrition:weighing_day", label=_("Ngày cân"), capability=RECORD_MEASUREMENTS, order=310)
        register_demo_seeder("số đo cân nặng, chiều cao", seed_measurements, order=200)
        from treem.nutrition import personal_data

        personal_data.register()
