from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    default = True
    name = "motcua.staff"
    verbose_name = "Cán bộ, phân quyền"

    def ready(self) -> None:
        from . import signin

        signin.connect()


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that also lets agency and centre administrators in."""

    default = False
    default_site = "motcua.staff.admin_site.StaffAdminSite"
