from django.urls import path

from lantoa.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_search, name="search"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("<int:unit_id>/them/", views.unit_add, name="add"),
    path("<int:unit_id>/sua/", views.unit_edit, name="edit"),
    path("<int:unit_id>/chuyen/", views.unit_move, name="move"),
    path("<int:unit_id>/ket-thuc/", views.unit_close, name="close"),
    path("<int:unit_id>/tai-cau-truc/", views.unit_restructure, name="restructure"),
    path(
        "<int:unit_id>/tai-cau-truc/mau.xlsx",
        views.unit_restructure_template,
        name="restructure_template",
    ),
    path("<int:unit_id>/nhap/", views.unit_import, name="import"),
    path("<int:unit_id>/nhap/mau.xlsx", views.unit_import_template, name="import_template"),
    path("<int:unit_id>/xuat.xlsx", views.unit_export, name="export"),
    path("<int:unit_id>/lich-su/", views.unit_history, name="history"),
]
