from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "treem.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")

    def ready(self) -> None:
        from django_tasks_db.compat import task_finished

        from treem.core.intake.tasks import record_failed_import_job

        task_finished.connect(record_failed_import_job, dispatch_uid="core.intake.record_failed_import_job")
