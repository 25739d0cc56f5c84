"""Add the reports of an archive made by export_reports, under new ids (blog/archive.py)."""

from django.core.management.base import BaseCommand, CommandError

from blog import archive


class Command(BaseCommand):
    help = (
        "Import the reports of an archive made by export_reports: new ids, slugs kept when "
        "free, people and conference data matched by username and slug or created."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, "rb") as source:
                reports = archive.import_reports(source)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except archive.ArchiveError as error:
            raise CommandError(str(error)) from error
        for report in reports:
            self.stdout.write(f"Imported “{report.title}” as /{report.slug}/ (id {report.pk}).")
