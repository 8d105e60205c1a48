from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HierarchyConfig(AppConfig):
    name = "treem.hierarchy"
    label = "hierarchy"
    verbose_name = _("Đơn vị hành chính và cơ quan")

    def ready(self) -> None:
        from treem.core.extensions import register_navigation
        from treem.hierarchy.permissions import VIEW_AGENCIES, VIEW_HIERARCHY

        register_navigation("hierarchy:browser", label=_("Đơn vị hành chính"), capability=VIEW_HIERARCHY, order=800)
        register_navigation("hierarchy:agencies", label=_("Cơ quan"), capability=VIEW_AGENCIES, order=810)
