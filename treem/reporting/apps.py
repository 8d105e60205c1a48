from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "treem.reporting"
    label = "reporting"
    verbose_name = _("Báo cáo định kỳ")

    def ready(self) -> None:
        from treem.core.extensions import register_demo_seeder, register_navigation
        from treem.reporting.demo import seed_demo_reporting
        from treem.reporting.permissions import VIEW_SUBMISSIONS

        register_navigation("reporting:index", label=_("Báo cáo định kỳ"), capability=VIEW_SUBMISSIONS, order=300)
        register_demo_seeder("kỳ báo cáo", seed_demo_reporting, order=400)

        from django_tasks_db.compat import task_finished

        from treem.reporting.tasks import record_failed_build

        task_finished.connect(record_failed_build, dispatch_uid="reporting.record_failed_build")
