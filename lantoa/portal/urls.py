from django.urls import path

from lantoa.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("lich/", views.calendar, name="calendar"),
    path("lich.ics", views.feed, name="feed"),
    path("xa-phuong.json", views.communes, name="communes"),
    path("hoat-dong/<int:activity_id>/", views.activity, name="activity"),
    path("hoat-dong/<int:activity_id>/da-dang-ky/", views.registered, name="registered"),
    path("hoat-dong/<int:activity_id>.ics", views.activity_ics, name="activity_ics"),
    path("dang-ky/", views.registration_lookup, name="registration"),
    path("tuyen-duong/", views.honours, name="honours"),
    path("hoc-lieu/", views.resources, name="resources"),
]
