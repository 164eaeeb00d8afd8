from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lantoa.accounts"
    verbose_name = "Tài khoản"
