"""Password validators (AUTH_PASSWORD_VALIDATORS) with Vietnamese messages: Django's
Vietnamese catalogue lacks the length rule's plural message, so a reset or change page
would answer half in English."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self):
        return _("Mật khẩu quá ngắn: cần ít nhất %(n)s ký tự.") % {"n": self.min_length}

    def get_help_text(self):
        return _("Mật khẩu cần ít nhất %(n)s ký tự.") % {"n": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu này quá phổ biến, dễ bị đoán.")

    def get_help_text(self):
        return _("Không dùng mật khẩu phổ biến.")
