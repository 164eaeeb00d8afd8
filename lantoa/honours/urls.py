from django.urls import path

from lantoa.honours import views

app_name = "honours"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:nomination_id>/phe-duyet/", views.approve, name="approve"),
    path("<int:nomination_id>/khong-phe-duyet/", views.decline, name="decline"),
    path("quyet-dinh.docx", views.decision, name="decision"),
]
