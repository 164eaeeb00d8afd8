from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "lantoa.campaigns"
    verbose_name = "Tuần lễ"
