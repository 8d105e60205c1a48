from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "treem.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản và phân quyền")

    def ready(self) -> None:
        from treem.accounts.permissions import MANAGE_ACCOUNTS, grants_from_assignments
        from treem.core.access import set_assignment_source
        from treem.core.extensions import register_navigation

        set_assignment_source(grants_from_assignments)
        register_navigation("admin:index", label=_("Quản trị"), capability=MANAGE_ACCOUNTS, order=900)
