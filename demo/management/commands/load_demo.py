from django.core.management.base import BaseCommand

from demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load the KubeCon + CloudNativeCon North America 2022 demo report, its authors and "
        "photos. Running it again creates nothing twice and keeps what was changed on the "
        "demo site; --refresh brings the demo's text, passwords and roles back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Bring existing demo rows back to the demo's text, passwords and roles.",
        )

    def handle(self, *args, **options):
        accounts = load_demo(refresh=options["refresh"])
        self.stdout.write(self.style.SUCCESS("Demo report loaded. Sign in with:"))
        self.stdout.write("")
        self.stdout.write("| user | password | role |")
        self.stdout.write("| --- | --- | --- |")
        for account in accounts:
            self.stdout.write(f"| {account.username} | {account.password} | {account.role} |")
