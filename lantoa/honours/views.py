from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lantoa.accounts.selectors import unit_get_for_user
from lantoa.campaigns.selectors import campaign_current, campaign_get, campaigns_list
from lantoa.core.errors import Conflict, PermissionDeniedError, error_messages
from lantoa.honours import selectors, services
from lantoa.honours.decision import decision_docx
from lantoa.honours.models import NomineeKind
from lantoa.honours.permissions import can_decide_honours, can_nominate
from lantoa.units.models import Unit

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NominationForm(forms.Form):
    nominee_kind = forms.ChoiceField(label=_("Đối tượng"), choices=NomineeKind.choices)
    nominee_name = forms.CharField(label=_("Tên tập thể, cá nhân"), max_length=255)
    achievement = forms.CharField(label=_("Thành tích"), widget=forms.Textarea(attrs={"rows": 3}))
    final_unit = forms.ChoiceField(label=_("Cấp phê duyệt cuối cùng"), required=False)

    def __init__(self, *args, ancestors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["final_unit"].choices = [(a.pk, a.name) for a in ancestors]


def _campaign(request):
    wanted = request.GET.get("campaign") or request.POST.get("campaign")
    if wanted:
        return campaign_get(wanted)
    return campaign_current()


@login_required
def index(request):
    campaign = _campaign(request)
    unit = request.membership.unit if request.membership else None
    nominating = (
        campaign is not None
        and unit is not None
        and unit.depth > 1
        and can_nominate(request.user, unit)
    )
    ancestors = list(reversed(Unit.objects.get_ancestors(unit))) if nominating else []
    form = NominationForm(request.POST or None, ancestors=ancestors)
    if request.method == "POST":
        if not nominating:
            raise Http404
        if form.is_valid():
            final = next(
                (a for a in ancestors if str(a.pk) == form.cleaned_data["final_unit"]), None
            )
            try:
                services.nomination_create(
                    user=request.user,
                    campaign=campaign,
                    unit=unit,
                    nominee_kind=form.cleaned_data["nominee_kind"],
                    nominee_name=form.cleaned_data["nominee_name"],
                    achievement=form.cleaned_data["achievement"],
                    final_unit=final,
                )
            except ValidationError as exc:
                for e in error_messages(exc):
                    form.add_error(None, e["message"])
            else:
                messages.success(request, _("Đã gửi đề nghị tuyên dương lên cấp trên."))
                return redirect("honours:index")
    return render(
        request,
        "honours/index.html",
        {
            "campaign": campaign,
            "campaigns": campaigns_list(),
            "form": form,
            "can_nominate": can_nominate,
            "to_review": selectors.nominations_to_review(user=request.user),
            "nominations": selectors.nominations_for_user(user=request.user, campaign=campaign)[
                :300
            ],
            "can_decide": unit is not None and can_decide_honours(request.user, unit),
        },
    )


def _nomination(request, nomination_id):
    return selectors.nomination_get_for_user(request.user, nomination_id)


@login_required
@require_POST
def approve(request, nomination_id):
    nomination = _nomination(request, nomination_id)
    try:
        services.nomination_approve(user=request.user, nomination=nomination)
        messages.success(request, _("Đã phê duyệt đề nghị."))
    except (Conflict, PermissionDeniedError) as exc:
        messages.error(request, exc.detail)
    return redirect("honours:index")


@login_required
@require_POST
def decline(request, nomination_id):
    nomination = _nomination(request, nomination_id)
    try:
        services.nomination_decline(
            user=request.user, nomination=nomination, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Đã trả lời: không phê duyệt."))
    except (Conflict, PermissionDeniedError) as exc:
        messages.error(request, exc.detail)
    except ValidationError as exc:
        for e in error_messages(exc):
            messages.error(request, e["message"])
    return redirect("honours:index")


@login_required
def decision(request):
    """QĐ (draft, Decree 30) listing the honours the current unit approved for a campaign."""
    campaign = _campaign(request)
    unit = request.membership.unit if request.membership else None
    if request.GET.get("unit"):
        unit = unit_get_for_user(request.user, request.GET["unit"])
    if campaign is None or unit is None or not can_decide_honours(request.user, unit):
        raise Http404
    if request.method == "POST":
        try:
            document = services.decision_draft_create(
                user=request.user, campaign=campaign, unit=unit
            )
        except (Conflict, PermissionDeniedError) as exc:
            messages.error(request, exc.detail)
            return redirect("honours:index")
        except ValidationError as exc:
            for e in error_messages(exc):
                messages.error(request, e["message"])
            return redirect("honours:index")
        messages.success(
            request, _("Đã tạo dự thảo quyết định tuyên dương; trình ký theo quy trình văn bản.")
        )
        return redirect("documents:detail", document_id=document.pk)
    response = HttpResponse(decision_docx(campaign=campaign, unit=unit), content_type=DOCX_MIME)
    response["Content-Disposition"] = (
        f'attachment; filename="quyet-dinh-tuyen-duong-{campaign.year}.docx"'
    )
    return response
