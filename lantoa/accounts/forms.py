from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from lantoa.accounts.models import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa."),
    }


class UserAddForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    send_invite = forms.BooleanField(
        label=_("Gửi thư mời đặt mật khẩu"), required=False, initial=True
    )


class MembershipForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)


class PasswordResetRequestForm(PasswordResetForm):
    """Only the address; the e-mail is queued by ``services.password_reset_request``."""

    email = forms.EmailField(
        label=_("Thư điện tử của tài khoản"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
