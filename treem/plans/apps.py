from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "treem.plans"
    label = "plans"
    verbose_name = "Kế hoạch"
