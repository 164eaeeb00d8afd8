from lantoa.accounts.selectors import active_membership


class ActiveMembershipMiddleware:
    """Attach the membership the user is working as (switchable) to the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            request.membership = active_membership(request)
        return self.get_response(request)
