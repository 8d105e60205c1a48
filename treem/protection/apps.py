from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "treem.protection"
    label = "protection"
    verbose_name = _("Bảo vệ trẻ em")

    def ready(self) -> None:
        from treem.core.extensions import register_demo_seeder, register_navigation
        from treem.protection import indicators  # noqa: F401  (registers the derived data elements of I13)
        from treem.protection.demo import seed_demo_protection
        from treem.protection.permissions import (
            SUPERVISE_CASES,
            VIEW_INCIDENTS,
            VIEW_PROTECTION_COUNTS,
            WORK_CASES,
        )

        register_navigation("protection:queue", label=_("Trường hợp của tôi"), capability=WORK_CASES, order=400)
        register_navigation("protection:caseload", label=_("Giám sát trường hợp"), capability=SUPERVISE_CASES,
                            order=410)
        register_navigation("protection:overview", label=_("Bảo vệ trẻ em"), capability=VIEW_PROTECTION_COUNTS,
                            order=420)
        register_navigation("protection:incidents", label=_("Sổ tai nạn, thương tích"), capability=VIEW_INCIDENTS,
                            order=430)
        register_demo_seeder("trường hợp bảo vệ trẻ em và sổ tai nạn", seed_demo_protection, order=300)
        from treem.protection import personal_data

        personal_data.register()
