"""The coverage board of an event: who writes about which session, claims and assignments.

The views ask `blog.coverage` to do everything; a refusal comes back as a message on the
board, never as an error page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from blog import coverage, roles
from blog.admin.base import _int, tell_errors
from blog.enums import DeadlineState
from blog.forms import AssignWriterForm, CoverageFilterForm
from blog.models import Report, Section
from cms.errors import post_only
from sessions.models import Event, Session


class CoverageBoardViews:
    """The board's pages, served under the report admin (`admin:blog_coverage_*`)."""

    def coverage_urls(self) -> list:
        def view(function, post=False):
            return self.admin_site.admin_view(post_only(function) if post else function)

        return [
            path("coverage/", view(self.coverage_index_view), name="blog_coverage_index"),
            path("coverage/<int:event_id>/", view(self.coverage_view), name="blog_coverage_board"),
            path(
                "coverage/<int:event_id>/claim/",
                view(self.claim_view, post=True),
                name="blog_coverage_claim",
            ),
            path(
                "coverage/<int:event_id>/assign/",
                view(self.assign_view, post=True),
                name="blog_coverage_assign",
            ),
            path(
                "coverage/<int:event_id>/allow/",
                view(self.allow_view, post=True),
                name="blog_coverage_allow",
            ),
            path(
                "coverage/<int:event_id>/unassign/",
                view(self.unassign_view, post=True),
                name="blog_coverage_unassign",
            ),
        ]

    def _board_context(self, request, title: str) -> dict:
        if not request.user.has_perm("blog.view_coverage"):
            raise PermissionDenied
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title}

    def coverage_index_view(self, request):
        context = self._board_context(request, gettext("Coverage boards"))
        context["events"] = Event.objects.order_by("-starts_on", "name")
        return TemplateResponse(request, "admin/blog/coverage/index.html", context)

    def coverage_view(self, request, event_id: int):
        event = get_object_or_404(Event, pk=event_id)
        context = self._board_context(
            request, gettext("Coverage of %(event)s") % {"event": event.name}
        )
        board = coverage.build_board(event, request.user, report_id=_int(request.GET.get("report")))
        filters = CoverageFilterForm(request.GET or None, board=board)
        is_editor = roles.is_editor(request.user)
        target = board.target
        at = _int(request.GET.get("at"))
        context.update(
            {
                "board": board,
                # The card the messages are said in, when it is on the board.
                "messages_at": at if any(row.session.pk == at for row in board.rows) else None,
                "groups": board.groups(filters.cleaned_data if filters.is_valid() else {}),
                "filters": filters,
                # A board's target is always a report still being written.
                "can_claim": target is not None
                and request.user.has_perm("blog.claim_session", target),
                "can_assign": target is not None
                and request.user.has_perm("blog.assign_session", target),
                "can_allow": request.user.has_perm("blog.allow_another_writer"),
                "can_unassign": is_editor,
                "writers": list(AssignWriterForm().fields["writer"].queryset) if is_editor else [],
                "Deadline": DeadlineState,
            }
        )
        return TemplateResponse(request, "admin/blog/coverage/board.html", context)

    # The board's buttons ---------------------------------------------------------------

    def _back_to_board(self, request, event_id: int, session_id: int | None = None):
        """To the board, at the session acted on, whose card then says what happened: the
        page opens there, below where the admin shows its messages."""
        url = reverse("admin:blog_coverage_board", args=[event_id])
        query = {}
        if report := _int(request.POST.get("report")):
            query["report"] = report
        if session_id:
            query["at"] = session_id
        if query:
            url += "?" + urlencode(query)
        return HttpResponseRedirect(url + (f"#session-{session_id}" if session_id else ""))

    def _session_and_report(self, request, event_id: int) -> tuple[Session, Report | None]:
        session = get_object_or_404(Session, pk=_int(request.POST.get("session")), event=event_id)
        report = Report.objects.filter(pk=_int(request.POST.get("report")), event=event_id).first()
        return session, report

    def claim_view(self, request, event_id: int):
        session, report = self._session_and_report(request, event_id)
        if report is None:
            messages.error(request, gettext("Choose the report to write for first."))
            return self._back_to_board(request, event_id, session.pk)
        try:
            outcome = coverage.claim(session, report, by=request.user)
        except coverage.CoverageRefused as refusal:
            tell_errors(request, refusal)
            return self._back_to_board(request, event_id, session.pk)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return self._back_to_board(request, event_id, session.pk)
        if outcome.created:
            messages.success(
                request,
                gettext("“%(title)s” is yours: this is your draft in “%(report)s”.")
                % {"title": session.title, "report": report.title},
            )
        else:
            messages.info(request, gettext("You already write about this session."))
        return HttpResponseRedirect(reverse("admin:blog_section_change", args=[outcome.section.pk]))

    def assign_view(self, request, event_id: int):
        session, report = self._session_and_report(request, event_id)
        form = AssignWriterForm(request.POST)
        if report is None or not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            if report is None:
                messages.error(request, gettext("Choose the report to write for first."))
            return self._back_to_board(request, event_id, session.pk)
        writer = form.cleaned_data["writer"]
        try:
            outcome = coverage.assign(session, report, writer, by=request.user)
        except coverage.CoverageRefused as refusal:
            tell_errors(request, refusal)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
        else:
            names = {"name": outcome.section.author_name, "title": session.title}
            if outcome.created:
                messages.success(request, gettext("%(name)s now writes about “%(title)s”.") % names)
            else:
                messages.info(
                    request, gettext("%(name)s already writes about “%(title)s”.") % names
                )
        return self._back_to_board(request, event_id, session.pk)

    def allow_view(self, request, event_id: int):
        session, _report = self._session_and_report(request, event_id)
        try:
            allowance = coverage.allow_another_writer(session, by=request.user)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                gettext("“%(title)s” may now have %(count)s writers.")
                % {"title": session.title, "count": allowance.writers_allowed},
            )
        return self._back_to_board(request, event_id, session.pk)

    def unassign_view(self, request, event_id: int):
        section = get_object_or_404(
            Section.objects.select_related("report", "session", "author__author_profile"),
            pk=_int(request.POST.get("section")),
            session__event=event_id,
        )
        try:
            coverage.unassign(section, by=request.user)
        except coverage.CoverageRefused as refusal:
            tell_errors(request, refusal)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                gettext(
                    "%(name)s no longer writes about “%(title)s”; the empty draft was moved to "
                    "the trash."
                )
                % {"name": section.author_name, "title": section.title},
            )
        return self._back_to_board(request, event_id, section.session_id)
