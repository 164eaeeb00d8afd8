"""Pages for campaigns (Tuần lễ): list, detail, create (approver of the top unit)."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lantoa.campaigns import services
from lantoa.campaigns.models import Campaign
from lantoa.campaigns.permissions import (
    campaign_edit_open,
    campaign_owner_units,
    can_edit_campaign,
)
from lantoa.campaigns.selectors import campaign_get, campaigns_list
from lantoa.core.dates import VietnameseDateField
from lantoa.core.errors import Conflict, PermissionDeniedError, error_messages
from lantoa.units.models import Unit


class CampaignForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("Tên"), max_length=255)
    theme = forms.CharField(label=gettext_lazy("Chủ đề"), max_length=500)
    starts_on = VietnameseDateField(label=gettext_lazy("Bắt đầu"))
    ends_on = VietnameseDateField(label=gettext_lazy("Kết thúc"))
    opening_on = VietnameseDateField(label=gettext_lazy("Ngày khai mạc"), required=False)
    copy_from = forms.ModelChoiceField(
        label=gettext_lazy("Sao chép bộ chỉ tiêu từ"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tuần lễ gần nhất"),
    )


class CampaignEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Tên"), max_length=255)
    theme = forms.CharField(label=gettext_lazy("Chủ đề"), max_length=500)
    starts_on = VietnameseDateField(label=gettext_lazy("Bắt đầu"))
    ends_on = VietnameseDateField(label=gettext_lazy("Kết thúc"))
    opening_on = VietnameseDateField(label=gettext_lazy("Ngày khai mạc"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


def _edit_form(campaign: Campaign, data=None) -> CampaignEditForm:
    initial = {f: getattr(campaign, f) for f in services.EDITABLE_FIELDS}
    return CampaignEditForm(data, initial=initial | {"version": campaign.version})


def _owner_units(user) -> list[Unit]:
    """Units where the user may create a campaign: approvers of a top-level unit."""
    return campaign_owner_units(user)


@login_required
def campaign_list(request):
    return render(
        request,
        "campaigns/list.html",
        {"campaigns": campaigns_list(), "can_create": bool(_owner_units(request.user))},
    )


def _detail(request, campaign: Campaign, edit_form: CampaignEditForm | None = None, status=200):
    from lantoa.documents.selectors import documents_for_campaign_page

    can_edit = can_edit_campaign(request.user, campaign)
    edit_open = campaign_edit_open(campaign)
    if edit_form is None and can_edit and edit_open:
        edit_form = _edit_form(campaign)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "indicators": list(campaign.indicators.all()),
            "activity_types": list(campaign.activity_types.all()),
            "deadlines": list(campaign.deadlines.select_related("unit")[:100]),
            "documents": documents_for_campaign_page(user=request.user, campaign=campaign),
            "can_edit": can_edit,
            "edit_open": edit_open,
            "edit_form": edit_form,
        },
        status=status,
    )


@login_required
def campaign_detail(request, campaign_id):
    return _detail(request, campaign_get(campaign_id))


@login_required
@require_POST
def campaign_edit(request, campaign_id):
    """The edit form on the detail page: the service decides (owner's leaders, until the
    Week ends, current version); a refusal is shown on the page, nothing stored changes."""
    campaign = campaign_get(campaign_id)
    form = _edit_form(campaign, request.POST)
    if not form.is_valid():
        return _detail(request, campaign, form, status=400)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.campaign_update(campaign=campaign, actor=request.user, version=version, **data)
    except ValidationError as exc:
        for e in error_messages(exc):
            form.add_error(e["field"] if e["field"] in form.fields else None, e["message"])
        return _detail(request, campaign, form, status=400)
    except (Conflict, PermissionDeniedError) as exc:
        messages.error(request, exc.detail)
        return redirect("campaigns:detail", campaign_id=campaign.pk)
    messages.success(request, _("Đã lưu thay đổi của Tuần lễ."))
    return redirect("campaigns:detail", campaign_id=campaign.pk)


@login_required
def campaign_new(request):
    owners = _owner_units(request.user)
    if not owners:
        raise Http404
    latest = Campaign.objects.order_by("-year").first()
    initial = {}
    if latest:
        year = latest.year + 1
        initial = {
            "year": year,
            "title": f"Tuần lễ hưởng ứng học tập suốt đời năm {year}",
            "starts_on": date(year, 10, 1),
            "ends_on": date(year, 10, 7),
            "opening_on": date(year, 10, 1),
        }
    form = CampaignForm(request.POST or None, initial=initial)
    form.fields["copy_from"].queryset = campaigns_list()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                year=data["year"],
                title=data["title"],
                theme=data["theme"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                opening_on=data["opening_on"],
                copy_from=data["copy_from"],
                owner_unit=owners[0],
                actor=request.user,
            )
        except ValidationError as exc:
            for e in error_messages(exc):
                form.add_error(e["field"] if e["field"] in form.fields else None, e["message"])
        else:
            messages.success(request, _("Đã tạo %(t)s.") % {"t": campaign.title})
            return redirect("campaigns:detail", campaign_id=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form})
