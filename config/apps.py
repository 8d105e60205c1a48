"""The third-party apps under Vietnamese names: the admin lists every app by its config's ``verbose_name``.

Their models' names ("access attempts", "Task Results") are wrapped for translation by their authors and get their
Vietnamese from ``locale/vi/LC_MESSAGES/django.po``.
"""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Khoá đăng nhập sai nhiều lần")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Tác vụ chạy nền")  # type: ignore[assignment]  # the package annotates a plain str
