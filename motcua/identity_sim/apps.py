from django.apps import AppConfig


class IdentitySimConfig(AppConfig):
    name = "motcua.identity_sim"
    label = "identity_sim"
    verbose_name = "Mô phỏng định danh điện tử (VNeID)"
