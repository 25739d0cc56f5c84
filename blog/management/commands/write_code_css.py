from django.conf import settings
from django.core.management.base import BaseCommand

from blog.code_style import STYLESHEET_PATH, stylesheet


class Command(BaseCommand):
    help = "Write the highlighted-code stylesheet (light and dark) into the static folder."

    def handle(self, *args, **options):
        target = settings.BASE_DIR / "static" / STYLESHEET_PATH
        target.write_text(stylesheet(), encoding="utf-8")
        self.stdout.write(f"Wrote {target.relative_to(settings.BASE_DIR)}")
