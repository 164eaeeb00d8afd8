from django.urls import path

from lantoa.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("chua-doc/", views.notification_count, name="count"),
    path("<int:notification_id>/da-doc/", views.notification_read, name="read"),
    path("da-doc-tat-ca/", views.notification_read_all, name="read_all"),
    path("thu-dien-tu/<int:unit_id>/", views.email_list, name="emails"),
    path(
        "thu-dien-tu/<int:unit_id>/<int:log_id>/gui-lai/",
        views.email_retry,
        name="email_retry",
    ),
    path(
        "don-doc/<int:campaign_id>/<int:unit_id>/",
        views.remind_missing,
        name="remind_missing",
    ),
    path(
        "don-doc/<int:campaign_id>/<int:unit_id>/lich-su/",
        views.reminder_runs,
        name="reminder_runs",
    ),
]
