"""Import the report written by bench/wagtail_page.py's export_report() as a ReportPage.

Then request the page twice in this process: the first request makes the images'
renditions, as a new Wagtail site does on its first reader; the second is counted. Prints
one line of JSON: the page's path, its queries and its size in bytes.
"""

import datetime
import json
import uuid
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.images.models import Image
from wagtail.models import Site

from reports.models import ReportPage


def stream_child(block_type: str, value) -> dict:
    """One child of a StreamField or ListBlock as Wagtail stores it, with its own id."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


class Command(BaseCommand):
    help = "Import a report exported by the benchmark as a published ReportPage."

    def add_arguments(self, parser):
        parser.add_argument("content", type=Path, help="the JSON file export_report() wrote")

    def handle(self, *args, **options):
        content = json.loads(options["content"].read_text(encoding="utf-8"))
        with transaction.atomic():
            page = self.import_page(content)
        client = Client(HTTP_HOST="127.0.0.1")
        first = client.get(page.url)
        if first.status_code != 200:
            raise CommandError(f"{page.url} answered {first.status_code}")
        with CaptureQueriesContext(connection) as queries:
            second = client.get(page.url)
        self.stdout.write(
            json.dumps({"path": page.url, "queries": len(queries), "bytes": len(second.content)})
        )

    def import_page(self, content: dict) -> ReportPage:
        images = {key: self.import_image(photo) for key, photo in content["photos"].items()}

        def figure(key: str) -> dict:
            photo = content["photos"][key]
            return {
                "image": images[key].pk,
                "caption": photo["caption"],
                "credit_text": photo["credit_text"],
                "credit_url": photo["credit_url"],
            }

        def section(data: dict) -> dict:
            return {
                "anchor": data["anchor"],
                "title": data["title"],
                "speakers": [stream_child("item", speaker) for speaker in data["speakers"]],
                "track": data["track"],
                "author_name": data["author_name"],
                "author_team": data["author_team"],
                "body": data["body_html"],
                "figures": [stream_child("item", figure(key)) for key in data["figures"]],
            }

        sections = []
        for part in content["parts"]:
            if part["session_title"]:
                value = {
                    "title": part["session_title"],
                    "sections": [stream_child("item", section(data)) for data in part["sections"]],
                }
                sections.append(stream_child("session_part", value))
            else:
                sections += [stream_child("section", section(data)) for data in part["sections"]]

        event = content["event"] or {}
        page = ReportPage(
            title=content["title"],
            slug=content["slug"],
            search_description=content["summary"],
            show_in_menus=True,
            lead=content["lead_html"],
            closing=content["closing_html"],
            reading_minutes=content["reading_minutes"],
            share_image=images.get(content["share_image"]),
            event_name=event.get("name", ""),
            event_starts_on=event.get("starts_on"),
            event_ends_on=event.get("ends_on"),
            event_city=event.get("city", ""),
            event_venue=event.get("venue", ""),
            event_format=event.get("format", ""),
            event_website=event.get("website", ""),
            sections=sections,
            gallery=[stream_child("figure", figure(key)) for key in content["gallery"]],
        )
        page.tags.add(*content["tags"])

        site = Site.objects.get(is_default_site=True)
        site.site_name = content["site_name"]
        site.hostname = "127.0.0.1"  # the bench's address, for the page's full URLs
        site.save()
        site.root_page.add_child(instance=page)
        page.save_revision().publish()
        # Shown as the report's date, as on our page: its publication, not this import.
        published_at = datetime.datetime.fromisoformat(content["published_at"])
        ReportPage.objects.filter(pk=page.pk).update(first_published_at=published_at)
        return page

    def import_image(self, photo: dict) -> Image:
        source = Path(photo["file"])
        with source.open("rb") as file:
            # Wagtail's titles and descriptions are shorter than our texts may be.
            image = Image(
                title=(photo["caption"] or photo["alt"])[:255],
                description=photo["alt"][:255],
                file=File(file, name=source.name),
            )
            image._set_image_file_metadata()  # as Wagtail's upload form does
            image.save()
        return image
