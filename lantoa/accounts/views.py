from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lantoa.accounts import services
from lantoa.accounts.forms import (
    LoginForm,
    MembershipForm,
    PasswordResetRequestForm,
    UserAddForm,
)
from lantoa.accounts.models import Membership, Role, User
from lantoa.accounts.selectors import members_of_subtree, memberships_for_user, unit_get_for_user
from lantoa.core.errors import error_messages
from lantoa.core.imports import import_page
from lantoa.core.redirects import safe_next
from lantoa.core.spreadsheets import XLSX_MIME, template_workbook
from lantoa.units.models import subtree_q


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password.html"
    success_url = reverse_lazy("overview:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        messages.success(self.request, _("Đã đổi mật khẩu. Mọi token API cũ đã bị thu hồi."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Quên mật khẩu: the same neutral answer whether or not the address has an account;
    the link is queued by the service (never sent from the request), throttled per client
    and per e-mail address."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"],
                client_address=self.request.META.get("REMOTE_ADDR", ""),
            )
        except services.PasswordResetThrottled as exc:
            form.add_error(None, exc.detail)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return redirect(self.success_url)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"lifetime": services.password_link_lifetime()}


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The e-mailed link (reset or invitation): a new password for an active account."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_user(self, uidb64):
        return services.password_reset_user(user=super().get_user(uidb64))

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_reset_done(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def security(request):
    return render(
        request,
        "accounts/security.html",
        {"tokens": list(services.tokens_for_user(user=request.user))},
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    services.token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("Đã thu hồi token."))
    return redirect("accounts:security")


@login_required
@require_POST
def tokens_revoke_all(request):
    count = services.tokens_revoke_all(user=request.user)
    messages.success(request, _("Đã thu hồi %(n)s token.") % {"n": count})
    return redirect("accounts:security")


@login_required
@require_POST
def logout_everywhere(request):
    services.user_logout_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("Đã đăng xuất ở mọi nơi và thu hồi mọi token API."))
    return redirect("accounts:login")


def locked_out(request, credentials=None, *args, **kwargs):
    """Axes lockout: 429 for the API (problem+json), a Vietnamese page otherwise."""
    if request.path.startswith("/api/"):
        from lantoa.api.problems import problem

        return problem(429, _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."))
    return render(request, "accounts/locked.html", status=429)


@login_required
@require_POST
def switch_membership(request):
    wanted = request.POST.get("membership_id", "")
    if wanted.isdigit() and any(m.pk == int(wanted) for m in memberships_for_user(request.user)):
        request.session["membership_id"] = int(wanted)
    return redirect(safe_next(request, "overview:dashboard"))


def _admin_unit(request, unit_id):
    return unit_get_for_user(request.user, unit_id, role=Role.ADMIN)


def _unit_choices(unit):
    # Closed units stay assignable: their people still report on past Weeks.
    return [
        (
            u.pk,
            "— " * (u.depth - unit.depth)
            + u.name
            + (_(" (đến %(day)s)") % {"day": f"{u.valid_to:%d/%m/%Y}"} if u.valid_to else ""),
        )
        for u in unit.subtree().only("id", "name", "depth", "path", "valid_to").order_by("path")
    ]


@login_required
def users_list(request, unit_id):
    unit = _admin_unit(request, unit_id)
    memberships = members_of_subtree(unit=unit).filter(is_active=True)
    return render(request, "accounts/users.html", {"unit": unit, "memberships": memberships})


@login_required
def user_add(request, unit_id):
    unit = _admin_unit(request, unit_id)
    form = UserAddForm(request.POST or None, initial={"unit": unit.pk})
    form.fields["unit"].choices = _unit_choices(unit)
    if request.method == "POST" and form.is_valid():
        target = unit.subtree().get(pk=form.cleaned_data["unit"])
        try:
            user = services.user_create(
                actor=request.user,
                unit=target,
                **{k: form.cleaned_data[k] for k in ("username", "full_name", "email", "role")},
            )
            if form.cleaned_data["send_invite"] and user.email:
                services.user_invite(user=user, request=request)
                messages.success(
                    request,
                    _("Đã tạo tài khoản %(username)s và gửi thư mời tới %(email)s.")
                    % {"username": user.username, "email": user.email},
                )
            else:
                password = services.user_set_password(user=user, actor=request.user)
                messages.success(
                    request,
                    _("Đã tạo tài khoản %(username)s. Mật khẩu tạm thời: %(password)s")
                    % {"username": user.username, "password": password},
                )
            return redirect("accounts:users", unit_id=unit.pk)
        except ValidationError as exc:
            for e in error_messages(exc):
                form.add_error(e["field"] if e["field"] in form.fields else None, e["message"])
    return render(request, "accounts/user_add.html", {"unit": unit, "form": form})


@login_required
def users_import_view(request, unit_id):
    unit = _admin_unit(request, unit_id)
    return import_page(
        request,
        unit=unit,
        importer=services.users_import,
        template="accounts/users_import.html",
        success=lambda n: _("Đã nhập %(n)s tài khoản.") % {"n": n},
        done_url=reverse("accounts:users", kwargs={"unit_id": unit.pk}),
    )


@login_required
def users_template(request, unit_id):
    unit = _admin_unit(request, unit_id)
    content = template_workbook(
        title="Người dùng",
        headers=["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Mã đơn vị", "Vai trò"],
        example=["nguyen.van.a", "Nguyễn Văn A", "a@example.vn", unit.code, Role.EDITOR.value],
    )
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = 'attachment; filename="mau-nguoi-dung.xlsx"'
    return response


@login_required
def user_manage(request, unit_id, user_id):
    unit = _admin_unit(request, unit_id)
    in_scope = Membership.objects.filter(subtree_q(unit.path, "unit__path"), user_id=user_id)
    if not in_scope.exists():
        raise Http404
    target = User.objects.get(pk=user_id)
    form = MembershipForm(request.POST if request.POST.get("action") == "membership" else None)
    form.fields["unit"].choices = _unit_choices(unit)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "membership" and not form.is_valid():
            return render(
                request,
                "accounts/user_manage.html",
                {
                    "unit": unit,
                    "target": target,
                    "memberships": in_scope.select_related("unit"),
                    "form": form,
                },
            )
        if action == "membership":
            services.membership_set(
                user=target,
                unit=unit.subtree().get(pk=form.cleaned_data["unit"]),
                role=form.cleaned_data["role"],
                actor=request.user,
            )
            messages.success(request, _("Đã cập nhật phân quyền."))
        elif action == "remove":
            wanted = request.POST.get("membership_id", "")
            m = (
                in_scope.filter(pk=int(wanted) if wanted.isdigit() else None)
                .select_related("user", "unit")
                .first()
            )
            if m:
                services.membership_remove(membership=m, actor=request.user)
                messages.success(request, _("Đã thu hồi quyền."))
        elif action in ("reset", "deactivate") and not services.user_manageable_by(
            user=target, admin_unit=unit
        ):
            messages.error(
                request,
                _(
                    "Tài khoản này còn được phân quyền ở đơn vị ngoài phạm vi của bạn; "
                    "hãy đề nghị quản trị cấp trên thực hiện."
                ),
            )
        elif action == "reset":
            password = services.user_set_password(user=target, actor=request.user)
            messages.success(
                request,
                _("Mật khẩu mới của %(username)s: %(password)s")
                % {"username": target.username, "password": password},
            )
        elif action == "deactivate":
            services.user_deactivate(user=target, actor=request.user)
            messages.success(
                request, _("Đã khóa tài khoản %(username)s.") % {"username": target.username}
            )
        return redirect("accounts:user_manage", unit_id=unit.pk, user_id=target.pk)
    return render(
        request,
        "accounts/user_manage.html",
        {
            "unit": unit,
            "target": target,
            "memberships": in_scope.select_related("unit"),
            "form": form,
        },
    )
