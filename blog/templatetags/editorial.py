from django import template
from django.db.models import Count, Q

from blog.enums import SectionStatus
from blog.models import Report, Section

register = template.Library()


@register.inclusion_tag("admin/blog/dashboard.html", takes_context=True)
def editorial_dashboard(context) -> dict:
    """Each person's work on the admin home: own sections, and for editors the review queue."""
    user = context["request"].user
    is_editor = user.has_perm("blog.review_sections")
    mine = (
        Section.objects.filter(author=user)
        .exclude(report__status="published", status=SectionStatus.APPROVED)
        .select_related("report", "session", "reviewer")
        .order_by("report", "position")
    )
    data = {"my_sections": list(mine), "is_editor": is_editor}
    if is_editor:
        data["awaiting_review"] = list(Section.objects.awaiting_review())
        data["reports_in_progress"] = list(
            Report.objects.exclude(status="published")
            .annotate(
                section_total=Count("sections"),
                approved_total=Count("sections", filter=Q(sections__status=SectionStatus.APPROVED)),
            )
            .order_by("-updated_at")
        )
    return data
