from django.urls import path

from treem.accounts import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("ngon-ngu/", views.language_view, name="set_language"),
]
