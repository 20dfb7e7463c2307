from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "motcua.workflow"
    verbose_name = "Quy trình xử lý hồ sơ"
