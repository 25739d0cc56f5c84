from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog import export
from blog.enums import ExportFormat
from blog.models import Report


class Command(BaseCommand):
    help = (
        "Write a report (at any status) as Hatena Blog Markdown or one standalone HTML file, "
        "for the company blog; image addresses are absolute, from SITE_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="REPORT_SLUG", help="The report's slug.")
        parser.add_argument(
            "--format", required=True, choices=ExportFormat.values, dest="export_format"
        )
        parser.add_argument(
            "--output", metavar="FILE", help="Write to FILE (UTF-8) instead of standard output."
        )
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help="The address images and links point to (default: the SITE_URL setting).",
        )

    def handle(self, *args, slug, export_format, output, base_url, **options):
        report = Report.objects.filter(slug=slug).first()
        if report is None:
            raise CommandError(f"There is no report with the slug {slug!r}.")
        exported = export.export(
            report, ExportFormat(export_format), base_url=base_url or export.site_base_url()
        )
        if output is None:
            self.stdout.write(exported.content, ending="")
            return
        try:
            Path(output).write_text(exported.content, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Could not write {output}: {error.strerror}.") from None
        self.stdout.write(f"Wrote {output}")
