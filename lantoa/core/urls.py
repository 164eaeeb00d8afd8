from django.urls import path

from lantoa.core import health, uploads, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("tong-quan/", views.dashboard, name="dashboard"),
    path("suc-khoe/", health.health, name="health"),
    path("tep/<slug:owner>/<int:pk>/", uploads.download_view, name="download"),
]
