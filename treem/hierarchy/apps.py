from django.apps import AppConfig


class HierarchyConfig(AppConfig):
    name = "treem.hierarchy"
    label = "hierarchy"
    verbose_name = "Đơn vị hành chính và cơ quan"

    def ready(self) -> None:
        from treem.hierarchy import permissions  # noqa: F401  (defines the domain's capabilities)
