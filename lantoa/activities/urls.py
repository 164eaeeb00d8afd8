from django.urls import path

from lantoa.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.index, name="index"),
    path("danh-sach.xlsx", views.index_xlsx, name="index_xlsx"),
    path("moi/", views.create, name="create"),
    path("hoc-lieu/", views.resources, name="resources"),
    path("<int:activity_id>/", views.detail, name="detail"),
    path("<int:activity_id>/sua/", views.edit, name="edit"),
    path("<int:activity_id>/nguoi-tham-gia/", views.participants, name="participants"),
    path("<int:activity_id>/minh-chung/", views.evidence, name="evidence"),
    path("<int:activity_id>/diem-danh/", views.attendance, name="attendance"),
    path("<int:activity_id>/huy/", views.cancel, name="cancel"),
    path("<int:activity_id>/dang-ky.xlsx", views.registrations_xlsx, name="registrations_xlsx"),
]
