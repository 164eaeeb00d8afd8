from lantoa.accounts.selectors import memberships_for_user


def membership(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "current_membership": getattr(request, "membership", None),
        "all_memberships": memberships_for_user(request.user),
    }
