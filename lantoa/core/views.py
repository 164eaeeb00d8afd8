from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from lantoa.campaigns.selectors import campaign_current, campaigns_list
from lantoa.units.models import Unit
from lantoa.units.selectors import unit_children


def home(request):
    """Office users land on their dashboard; citizens on the public portal."""
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return redirect("portal:home")


@login_required
def dashboard(request):
    membership = request.membership
    unit = membership.unit if membership else None
    if unit is None and request.user.is_superuser:
        unit = Unit.objects.filter(depth=1).order_by("path").first()  # the ministry
    return render(
        request,
        "core/dashboard.html",
        {
            "unit": unit,
            "children": list(unit_children(unit=unit)[:200]) if unit else [],
            "campaign": campaign_current(),
            "campaigns": campaigns_list(),
        },
    )


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
