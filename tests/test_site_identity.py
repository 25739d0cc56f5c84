"""The site's own face: favicon, web app manifest, share picture and JSON-LD of the index."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from blog.site import SHARE_IMAGE_SIZE
from tests.factories import make_report

pytestmark = pytest.mark.django_db


def meta(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', html))


def json_ld(html: str) -> list[dict]:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(script) for script in scripts]


def static_file(client, url: str) -> bytes:
    """A static file as the site serves it (WhiteNoise streams it: close the file after)."""
    response = client.get(url)
    assert response.status_code == 200
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def static_image(client, url: str) -> Image.Image:
    return Image.open(io.BytesIO(static_file(client, url)))


def test_favicon_ico_redirects_permanently_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (301, "/static/favicon.ico")
    icon = static_image(client, response["Location"])
    assert (icon.format, icon.size) == ("ICO", (48, 48))


def test_every_page_links_its_icons_and_the_manifest(client):
    html = client.get("/").content.decode()

    assert re.findall(r'<link rel="(icon|apple-touch-icon|manifest)" href="([^"]+)"', html) == [
        ("icon", "/static/favicon.ico"),
        ("icon", "/static/favicon.svg"),
        ("apple-touch-icon", "/static/icons/icon-180.png"),
        ("manifest", "/manifest.webmanifest"),
    ]


def test_svg_favicon_is_an_svg_document(client):
    body = static_file(client, "/static/favicon.svg").decode()

    assert (body.startswith("<svg "), "<script" in body) == (True, False)


def test_manifest_is_json_with_a_japanese_name_and_icons_that_exist(client):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["short_name"], manifest["lang"]) == (
        "SRE Tech Blog: カンファレンス参加レポート",
        "SRE Tech Blog",
        "ja",
    )
    assert manifest["start_url"] == "/"
    sizes = {}
    for icon in manifest["icons"]:
        if icon["type"] == "image/png":
            image = static_image(client, icon["src"])
            sizes[icon["sizes"]] = "{}x{}".format(*image.size)
        else:
            assert static_file(client, icon["src"]).startswith(b"<svg ")
    assert sizes == {"192x192": "192x192", "512x512": "512x512"}


def test_index_has_an_absolute_share_picture(client):
    html = client.get("/").content.decode()

    tags = meta(html)
    assert tags["og:image"] == "http://testserver/static/icons/share.png"
    assert (tags["og:image:width"], tags["og:image:height"], tags["og:image:alt"]) == (
        "1200",
        "630",
        "SRE Tech Blog",
    )
    assert tags["twitter:card"] == "summary_large_image"
    picture = static_image(client, tags["og:image"].removeprefix("http://testserver"))
    assert picture.size == (SHARE_IMAGE_SIZE["width"], SHARE_IMAGE_SIZE["height"])


def test_index_describes_the_site_and_the_blog_with_its_published_reports(client):
    published = make_report(published=True, title="参加レポート", slug="sanka")
    make_report(title="下書き", slug="draft")

    [data] = json_ld(client.get("/").content.decode())

    website, blog = data["@graph"]
    assert data["@context"] == "https://schema.org"
    assert (website["@type"], website["url"], website["inLanguage"]) == (
        "WebSite",
        "http://testserver/",
        "ja",
    )
    assert website["potentialAction"]["target"]["urlTemplate"] == (
        "http://testserver/search/?q={search_term_string}"
    )
    assert (blog["@type"], blog["isPartOf"], blog["image"]) == (
        "Blog",
        {"@id": "http://testserver/#website"},
        "http://testserver/static/icons/share.png",
    )
    assert blog["blogPost"] == [
        {
            "@type": "BlogPosting",
            "headline": "参加レポート",
            "url": "http://testserver/reports/sanka/",
            "datePublished": published.published_at.isoformat(),
        }
    ]


def pixels(path: Path) -> bytes:
    with Image.open(path) as image:
        return image.convert("RGBA").tobytes()


def test_drawn_images_are_current(tmp_path, settings):
    """The committed icons are what `draw_site_images` draws (run it after changing them)."""
    static = Path(settings.BASE_DIR) / "static"
    names = ["favicon.ico", "icons/icon-180.png", "icons/icon-192.png", "icons/icon-512.png"]
    names.append("icons/share.png")
    committed = {name: pixels(static / name) for name in names}
    from cms.management.commands import draw_site_images

    draw_site_images.STATIC = tmp_path
    try:
        call_command("draw_site_images", stdout=io.StringIO())
    finally:
        draw_site_images.STATIC = static

    drawn = {name: pixels(tmp_path / name) for name in names}
    assert drawn == committed
