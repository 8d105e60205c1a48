from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "treem.fieldwork"
    label = "fieldwork"
    verbose_name = _("Thực địa (ngoại tuyến)")

    def ready(self) -> None:
        from treem.core.extensions import register_navigation
        from treem.fieldwork.permissions import ENTER_IN_FIELD

        register_navigation("fieldwork:index", label=_("Thực địa"), capability=ENTER_IN_FIELD, order=320)
