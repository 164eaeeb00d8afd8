"""Authentication by username as typed: normalised (NFC, lower case) before the lookup."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from lantoa.accounts.usernames import username_normalise


class UsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get(username__iexact=username_normalise(username))
        except (User.DoesNotExist, User.MultipleObjectsReturned):
            User().set_password(password)  # same time as a wrong password: no account probing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
