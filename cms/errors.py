"""Refusal pages: inside the admin's frame for staff, in the reader's site for everyone else."""

import functools

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext


class Refusal(PermissionDenied):
    """A refusal that says why, and what the person may do instead when there is something.

    `title` and `advice` replace the page's general ones ("You may not do this", "ask one
    of the editors") where they would not be true, as for an editor told where a thing went.
    """

    def __init__(
        self,
        reason: str,
        *,
        instead_url: str = "",
        instead_label: str = "",
        title: str = "",
        advice: str = "",
    ):
        super().__init__(reason)
        self.instead_url, self.instead_label = instead_url, instead_label
        self.title, self.advice = title, advice


def permission_denied(request, exception=None):
    reason = str(exception or "").strip()
    user = getattr(request, "user", None)
    in_admin = request.path.startswith(reverse("admin:index"))
    if in_admin and user is not None and user.is_active and user.is_staff:
        title = getattr(exception, "title", "") or gettext("You may not do this")
        context = _in_admin_frame(request, title) | {
            "reason": reason,
            "advice": getattr(exception, "advice", ""),
            "instead_url": getattr(exception, "instead_url", ""),
            "instead_label": getattr(exception, "instead_label", ""),
        }
        template = "admin/403.html"
    else:
        context = {"reason": reason, "back_url": _page_before(request)}
        template = "403.html"
    return TemplateResponse(request, template, context, status=403).render()


def post_only(view):
    """A view that changes something, reached only by its button's POST.

    An address typed or reopened from the history is a GET: it is told so in the admin's
    frame, with a way back, instead of the browser's bare 405 page; nothing runs."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            return view(request, *args, **kwargs)
        context = _in_admin_frame(request, gettext("Use the button on the page"))
        response = TemplateResponse(request, "admin/405.html", context, status=405)
        response["Allow"] = "POST"
        return response

    return wrapper


def _in_admin_frame(request, title: str) -> dict:
    """What a refusal page in the admin's frame needs: the frame, its title, a way back."""
    return {
        **admin.site.each_context(request),
        "title": title,
        "back_url": _page_before(request) or reverse("admin:index"),
    }


def _page_before(request) -> str:
    """Where the person came from on this site, for a way back; never another site."""
    referrer = request.META.get("HTTP_REFERER", "")
    if referrer and url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referrer
    return ""
