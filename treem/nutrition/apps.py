from django.apps import AppConfig


class NutritionConfig(AppConfig):
    name = "treem.nutrition"
    label = "nutrition"
    verbose_name = "Dinh dưỡng"
