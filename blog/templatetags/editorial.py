from django import template

from blog import membership, roles
from blog.enums import ReportStatus, SectionStatus
from blog.models import Report, Section, display_name_of

register = template.Library()


@register.inclusion_tag("admin/blog/dashboard.html", takes_context=True)
def editorial_dashboard(context) -> dict:
    """Each person's work on the admin home: own sections, and for editors the review queue."""
    user = context["request"].user
    is_editor = roles.is_editor(user)
    mine = (
        Section.objects.visible_to(user)
        .filter(author=user)
        .exclude(report__status=ReportStatus.PUBLISHED, status=SectionStatus.APPROVED)
        .select_related("report", "session", "reviewer")
        .order_by("report", "position")
    )
    data = {"my_sections": list(mine), "is_editor": is_editor}
    if not is_editor and not membership.open_reports_for(user).exists():
        data["editors"] = list(roles.editors().filter(is_staff=True))
        data["writes_nowhere"] = True
    if is_editor:
        data["awaiting_review"] = list(Section.objects.awaiting_review())
        data["reports_in_progress"] = list(
            Report.objects.open_for_writing().with_review_progress().order_by("-updated_at")
        )
    return data


@register.filter
def display_name(person) -> str:
    return display_name_of(person)


@register.filter
def display_names(people) -> str:
    """The names bylines print, joined the way the interface's language joins a list."""
    return "、".join(display_name_of(person) for person in people)
