from django.contrib.auth import views as auth_views
from django.urls import path

from lantoa.accounts import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("chuyen-don-vi/", views.switch_membership, name="switch"),
    path("bao-mat/", views.security, name="security"),
    path("bao-mat/token/<int:token_id>/thu-hoi/", views.token_revoke, name="token_revoke"),
    path("bao-mat/token/thu-hoi-tat-ca/", views.tokens_revoke_all, name="tokens_revoke_all"),
    path("dang-xuat-moi-noi/", views.logout_everywhere, name="logout_everywhere"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("quen-mat-khau/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "quen-mat-khau/da-gui/", views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "quen-mat-khau/xong/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "dat-mat-khau/<uidb64>/<token>/",
        views.PasswordSetView.as_view(),
        name="password_reset_confirm",
    ),
    path("don-vi/<int:unit_id>/nguoi-dung/", views.users_list, name="users"),
    path("don-vi/<int:unit_id>/nguoi-dung/them/", views.user_add, name="user_add"),
    path("don-vi/<int:unit_id>/nguoi-dung/nhap/", views.users_import_view, name="users_import"),
    path("don-vi/<int:unit_id>/nguoi-dung/mau.xlsx", views.users_template, name="users_template"),
    path("don-vi/<int:unit_id>/nguoi-dung/<int:user_id>/", views.user_manage, name="user_manage"),
]
