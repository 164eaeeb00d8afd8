from django import forms
from django.contrib.auth.forms import AuthenticationForm

from lantoa.accounts.models import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường.",
        "inactive": "Tài khoản này đã bị khóa.",
    }


class UserAddForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    email = forms.EmailField(label="Thư điện tử", required=False)
    unit = forms.TypedChoiceField(label="Đơn vị", coerce=int)
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices)
    send_invite = forms.BooleanField(label="Gửi thư mời đặt mật khẩu", required=False, initial=True)


class MembershipForm(forms.Form):
    unit = forms.TypedChoiceField(label="Đơn vị", coerce=int)
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices)


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp .xlsx hoặc .csv")
