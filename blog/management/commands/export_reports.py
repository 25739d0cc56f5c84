"""Write reports, or every report, into one portable archive (blog/archive.py)."""

from django.core.management.base import BaseCommand, CommandError

from blog import archive
from blog.models import Report


class Command(BaseCommand):
    help = (
        "Export the reports with the given slugs (every report when none is given), with "
        "their sections, history, revisions and photo files, as one zip archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="REPORT_SLUG")
        parser.add_argument("--output", required=True, metavar="FILE", help="The zip to write.")

    def handle(self, *args, slugs: list[str], output: str, **options):
        reports = Report.objects.order_by("pk")
        if slugs:
            reports = reports.filter(slug__in=slugs)
            unknown = sorted(set(slugs) - set(reports.values_list("slug", flat=True)))
            if unknown:
                raise CommandError(
                    f"No report (out of the trash) has the slug: {', '.join(unknown)}"
                )
        with open(output, "wb") as target:
            count = archive.export_reports(reports, target)
        self.stdout.write(f"Exported {count} report(s) to {output}.")
