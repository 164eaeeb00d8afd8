from django.urls import path

from lantoa.reports.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.campaign_dashboard, name="campaign"),
]
