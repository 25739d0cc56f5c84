from django.core.management.base import BaseCommand

from blog.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load the KubeCon + CloudNativeCon North America 2022 demo report, its authors and "
        "photos. Running it again updates the same rows and creates nothing twice."
    )

    def handle(self, *args, **options):
        accounts = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo report loaded. Sign in with:"))
        self.stdout.write("")
        self.stdout.write("| user | password | role |")
        self.stdout.write("| --- | --- | --- |")
        for account in accounts:
            self.stdout.write(f"| {account.username} | {account.password} | {account.role} |")
