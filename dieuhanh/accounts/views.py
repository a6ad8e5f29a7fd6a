"""Managing users within one's own subtree, and changing one's own password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from dieuhanh.accounts import services
from dieuhanh.accounts.forms import EditUserForm, NewUserForm
from dieuhanh.accounts.models import User
from dieuhanh.core.audit import record_event
from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import permits


def user_list(request):
    if not permits(request.user, User, "view"):
        raise PermissionDenied
    users = User.objects.restrict(request.user, "view").select_related("orgunit")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(full_name__icontains=q)
            | Q(orgunit__short_name__icontains=q)
        )
    page, query = page_of(request, users.prefetch_related("roles").order_by("username"), 50)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "can_add": permits(request.user, User, "add"),
        },
    )


def _form_errors(form, error):
    for message in getattr(error, "messages", [str(error)]):
        form.add_error(None, message)


def user_new(request):
    if not permits(request.user, User, "add"):
        raise PermissionDenied
    initial = {"orgunit": request.user.orgunit.uid if request.user.orgunit_id else ""}
    form = NewUserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.create_user(request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _form_errors(form, error)
        else:
            return render(
                request, "accounts/temporary_password.html", {"subject": user, "password": password}
            )
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


def user_detail(request, username):
    if not permits(request.user, User, "view"):
        raise PermissionDenied
    subject = get_object_or_404(User.objects.restrict(request.user, "view"), username=username)
    can_change = User.objects.restrict(request.user, "change").filter(pk=subject.pk).exists()
    form = None
    if can_change:
        form = EditUserForm(
            request.POST or None,
            initial={
                "full_name": subject.full_name,
                "job_title": subject.job_title,
                "email": subject.email,
                "orgunit": subject.orgunit.uid if subject.orgunit_id else "",
                "roles": list(subject.roles.all()),
                "is_active": subject.is_active,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.update_user(request.user, subject, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:user_detail", username=subject.username)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "accounts/user_detail.html",
        {"subject": subject, "form": form, "can_change": can_change},
    )


def user_reset_password(request, username):
    if not permits(request.user, User, "change"):
        raise PermissionDenied
    subject = get_object_or_404(User.objects.restrict(request.user, "view"), username=username)
    if request.method != "POST":
        return redirect("accounts:user_detail", username=subject.username)
    password = services.reset_password(request.user, subject)
    return render(
        request, "accounts/temporary_password.html", {"subject": subject, "password": password}
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        User.objects.filter(pk=self.request.user.pk).update(must_change_password=False)
        record_event("password_changed", self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class MustChangePasswordMiddleware:
    """After an administrator's reset, the temporary password only opens the change form."""

    EXEMPT = ("/accounts/password/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.EXEMPT)
            and not request.path.startswith("/api/")
        ):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
