from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "motcua.staff"
    verbose_name = "Cán bộ, phân quyền"
