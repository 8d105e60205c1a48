from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "treem.registry"
    label = "registry"
    verbose_name = _("Cơ sở dữ liệu trẻ em")

    def ready(self) -> None:
        from treem.core.extensions import register_demo_seeder, register_navigation
        from treem.registry import derived, jobs, subject_access  # noqa: F401  (derived registers the derived data elements)
        from treem.registry.demo import seed_demo_children
        from treem.registry.permissions import REVIEW_DUPLICATES, VIEW_COUNTS, VIEW_IDENTITY

        register_navigation("registry:children", label=_("Trẻ em"), capability=VIEW_IDENTITY, order=200)
        register_navigation("registry:counts", label=_("Số lượng trẻ em"), capability=VIEW_COUNTS, order=210)
        register_navigation("registry:duplicates", label=_("Hồ sơ nghi trùng"), capability=REVIEW_DUPLICATES,
                            order=220)
        jobs.register()
        register_demo_seeder("trẻ em", seed_demo_children, order=100)
        subject_access.register()
