from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "treem.protection"
    label = "protection"
    verbose_name = "Bảo vệ trẻ em"
