from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "treem.registry"
    label = "registry"
    verbose_name = "Cơ sở dữ liệu trẻ em"
