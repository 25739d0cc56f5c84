"""Stored HTML gets the heading levels of the one heading scheme.

Text headings used to keep the level the writer typed (and `#` lost its heading). Now
the highest level in a text sits right below the title it is shown under (see
`blog.markdown._HeadingLevels`). Rendering again here would need the models' methods,
which a migration does not have, so the stored HTML's heading tags are moved the same
way: the result equals a fresh render for every text without a `#` line (a `#` line was
stored as bare text and stays so until the text is next saved).
"""

import re

from django.db import migrations

# Frozen copy of the rule, so that later changes to the renderer do not change history.
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def relevel(html: str, title_level: int) -> str:
    levels = [int(level) for _slash, level in HEADING_TAG.findall(html or "")]
    if not levels:
        return html
    shift = title_level + 1 - min(levels)

    def moved(match: re.Match) -> str:
        level = min(max(int(match[2]) + shift, 2), 6)
        return f"<{match[1]}h{level}"

    return HEADING_TAG.sub(moved, html)


def relevel_stored_html(apps, schema_editor):
    Report = apps.get_model("blog", "Report")
    Section = apps.get_model("blog", "Section")
    for report in Report.objects.only("pk", "lead_html", "closing_html").iterator():
        lead, closing = relevel(report.lead_html, 1), relevel(report.closing_html, 2)
        if (lead, closing) != (report.lead_html, report.closing_html):
            Report.objects.filter(pk=report.pk).update(lead_html=lead, closing_html=closing)
    for section in Section.objects.only("pk", "session_id", "body_html").iterator():
        body = relevel(section.body_html, 3 if section.session_id is not None else 2)
        if body != section.body_html:
            Section.objects.filter(pk=section.pk).update(body_html=body)


class Migration(migrations.Migration):
    dependencies = [("blog", "0006_deadlines_and_coverage")]

    operations = [migrations.RunPython(relevel_stored_html, migrations.RunPython.noop)]
