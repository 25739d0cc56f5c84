from django.core.management.base import BaseCommand

from blog.editing import render_every_text


class Command(BaseCommand):
    help = (
        "Render the stored HTML of every section and report again, after the photos moved "
        "to another storage or public address (their addresses are in the HTML)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Rendered {render_every_text()} texts again.")
