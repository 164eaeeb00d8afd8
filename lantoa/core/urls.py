from django.urls import path

from lantoa.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("tong-quan/", views.dashboard, name="dashboard"),
]
