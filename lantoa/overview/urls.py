from django.urls import path

from lantoa.overview import views

app_name = "overview"
urlpatterns = [
    path("", views.home, name="home"),
    path("tong-quan/", views.dashboard, name="dashboard"),
]
