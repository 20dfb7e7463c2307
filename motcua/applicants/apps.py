from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "motcua.applicants"
    verbose_name = "Người nộp hồ sơ"
