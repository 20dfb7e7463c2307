from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "motcua.calendar"
    verbose_name = "Lịch làm việc"
