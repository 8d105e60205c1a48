from django.urls import path

from treem.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("xuat.xlsx", views.plan_xlsx, name="plan_xlsx"),
    path("nhiem-vu/", views.tasks, name="tasks"),
    path("nhiem-vu/xuat.xlsx", views.tasks_xlsx, name="tasks_xlsx"),
]
