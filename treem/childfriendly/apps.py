from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildFriendlyConfig(AppConfig):
    name = "treem.childfriendly"
    label = "childfriendly"
    verbose_name = _("Xã phù hợp với trẻ em")

    def ready(self) -> None:
        from treem.childfriendly.demo import seed_assessments
        from treem.childfriendly.permissions import VIEW_ASSESSMENTS
        from treem.childfriendly.reminders import AssessmentReminders
        from treem.core.extensions import register_demo_seeder, register_navigation
        from treem.reporting.reminders import register_reminder_source

        register_navigation("childfriendly:index", label=_("Xã phù hợp với trẻ em"), capability=VIEW_ASSESSMENTS,
                            order=450)
        register_demo_seeder("đánh giá xã phù hợp với trẻ em", seed_assessments, order=300)
        register_reminder_source("childfriendly", AssessmentReminders())
