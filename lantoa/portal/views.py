from django.shortcuts import render

from lantoa.campaigns.selectors import campaign_current


def home(request):
    return render(request, "portal/home.html", {"campaign": campaign_current()})
