from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_required
def export_list(request):
    """The user's exports built by the worker, newest first, with their download links."""
    from lantoa.core.exports import exports_for_user

    return render(request, "core/exports.html", {"jobs": exports_for_user(user=request.user)})
