from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "treem.maps"
    label = "maps"
    verbose_name = _("Bản đồ")

    def ready(self) -> None:
        from treem.core.extensions import register_navigation
        from treem.core.intake.runner import register_kind
        from treem.maps.permissions import MANAGE_BOUNDARIES, VIEW_MAPS
        from treem.maps.services import BOUNDARY_INTAKE

        register_kind(BOUNDARY_INTAKE)

        from treem.maps.childfriendly_source import child_friendly_sources
        from treem.maps.sources import register_map_source

        register_map_source(child_friendly_sources)
        register_navigation("maps:map", label=_("Bản đồ"), capability=VIEW_MAPS, order=110)
        register_navigation("maps:boundaries", label=_("Ranh giới bản đồ"), capability=MANAGE_BOUNDARIES, order=820)
