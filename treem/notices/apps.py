from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "treem.notices"
    label = "notices"
    verbose_name = "Thông báo"

    def ready(self) -> None:
        from treem.core.access import AUTHENTICATED
        from treem.core.extensions import register_navigation
        from treem.notices.selectors import unread_count

        register_navigation("notices:inbox", label=_("Thông báo"), capability=AUTHENTICATED, order=890,
                            badge=unread_count)
