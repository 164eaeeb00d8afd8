from ninja.security import HttpBearer, django_auth

from lantoa.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]
