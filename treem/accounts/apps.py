from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "treem.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self) -> None:
        from treem.accounts.permissions import grants_from_assignments
        from treem.core.access import set_assignment_source

        set_assignment_source(grants_from_assignments)
