"""The trash and the audit trail in the admin: pages for editors, beside the reports.

What happens on a restore or a purge is blog/trash.py's; what the trail holds is
blog/audit.py's. These views check one permission, call one service, and say what came
of it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from blog import audit, trash
from blog.admin.base import tell, tell_errors
from blog.models import Photo, Report, Section
from cms.errors import post_only

KINDS = {"report": Report, "section": Section, "photo": Photo}
AUDIT_PAGE_SIZE = 50


def urls(admin_site) -> list:
    def view(function, post=False):
        wrapped = post_only(function) if post else function
        return admin_site.admin_view(
            lambda request, **kwargs: wrapped(request, admin_site, **kwargs)
        )

    return [
        path("trash/", view(trash_view), name="blog_trash"),
        path("trash/empty/", view(empty_view, post=True), name="blog_trash_empty"),
        path(
            "trash/<str:kind>/<int:pk>/restore/",
            view(restore_view, post=True),
            name="blog_trash_restore",
        ),
        path(
            "trash/<str:kind>/<int:pk>/purge/", view(purge_view, post=True), name="blog_trash_purge"
        ),
        path("audit/", view(audit_view), name="blog_audit_trail"),
    ]


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _trash_url() -> str:
    return reverse("admin:blog_trash")


def trash_view(request, admin_site):
    """What is in the trash: reports (with what went with them), and the sections and
    photos trashed on their own."""
    _require(request, "blog.view_trash")
    reports = (
        Report.all_objects.in_trash()
        .select_related("trashed_by__author_profile")
        .annotate(
            section_total=Count(
                "sections", filter=Q(sections__trashed_at=F("trashed_at")), distinct=True
            ),
            photo_total=Count(
                "photos", filter=Q(photos__trashed_at=F("trashed_at")), distinct=True
            ),
        )
        .order_by("-trashed_at", "-pk")
    )
    # Also those whose report (or section) followed them to the trash: they wait for it.
    sections = list(
        Section.all_objects.trashed_on_their_own()
        .select_related("report", "session", "author__author_profile", "trashed_by__author_profile")
        .order_by("-trashed_at", "-pk")
    )
    photos = list(
        Photo.all_objects.trashed_on_their_own()
        .select_related("report", "section__session", "trashed_by__author_profile")
        .order_by("-trashed_at", "-pk")
    )
    for obj in sections + photos:
        obj.waits_for = trash.waits_for(obj)
    context = {
        **admin_site.each_context(request),
        "title": gettext("Trash"),
        "reports": reports,
        "sections": sections,
        "photos": photos,
        "can_restore": request.user.has_perm("blog.restore_from_trash"),
        "can_purge": request.user.has_perm("blog.purge_trash"),
    }
    return TemplateResponse(request, "admin/blog/trash.html", context)


def _in_trash(kind: str, pk: int):
    model = KINDS.get(kind)
    obj = model.all_objects.filter(pk=pk).first() if model else None
    if obj is None:
        raise Http404
    return obj


def restore_view(request, admin_site, kind: str, pk: int):
    _require(request, "blog.restore_from_trash")
    obj = _in_trash(kind, pk)
    try:
        outcome = trash.restore(obj, by=request.user)
    except ValidationError as error:
        tell_errors(request, error)
        return HttpResponseRedirect(_trash_url())
    if outcome.changed:
        messages.success(
            request, gettext("“%(name)s” is back where it was.") % {"name": trash.label(obj)}
        )
    else:
        messages.info(request, gettext("Nothing to do: that is already done."))
    tell(request, outcome.messages())
    return HttpResponseRedirect(_trash_url())


def purge_view(request, admin_site, kind: str, pk: int):
    _require(request, "blog.purge_trash")
    obj = _in_trash(kind, pk)
    name = trash.label(obj)
    try:
        trash.purge(obj, by=request.user)
    except ValidationError as error:
        tell_errors(request, error)
    else:
        messages.success(request, gettext("“%(name)s” was deleted for good.") % {"name": name})
    return HttpResponseRedirect(_trash_url())


def empty_view(request, admin_site):
    _require(request, "blog.purge_trash")
    count = trash.empty(by=request.user)
    messages.success(
        request, gettext("The trash is empty: %(count)s deleted for good.") % {"count": count}
    )
    return HttpResponseRedirect(_trash_url())


def audit_view(request, admin_site):
    """The audit trail, newest first, of every report or of one (`?report=`)."""
    _require(request, "blog.view_audit_trail")
    report_id = _int(request.GET.get("report"))
    reports = Report.all_objects.order_by("title", "pk").only("pk", "title", "trashed_at")
    page = Paginator(audit.trail(report_id), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **admin_site.each_context(request),
        "title": gettext("Audit trail"),
        "reports": reports,
        "report_id": report_id,
        "page": page,
    }
    return TemplateResponse(request, "admin/blog/audit_trail.html", context)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
