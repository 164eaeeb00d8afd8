from django.urls import path

from lantoa.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="index"),
    path("moi/", views.campaign_new, name="new"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/sua/", views.campaign_edit, name="edit"),
]
