from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "treem.plans"
    label = "plans"
    verbose_name = _("Kế hoạch")

    def ready(self) -> None:
        from treem.core.extensions import register_navigation
        from treem.plans.permissions import VIEW_PLANS

        register_navigation("plans:tasks", label=_("Nhiệm vụ"), capability=VIEW_PLANS, order=120)
