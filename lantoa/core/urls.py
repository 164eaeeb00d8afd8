from django.urls import path

from lantoa.core import health, uploads, views

app_name = "core"
urlpatterns = [
    path("suc-khoe/", health.health, name="health"),
    path("xuat/", views.export_list, name="exports"),
    path("tep/<slug:owner>/<int:pk>/", uploads.download_view, name="download"),
]
