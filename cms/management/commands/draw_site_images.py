"""Draw the site's icons and its default share picture into static/.

The shapes are those of static/favicon.svg (drawn by hand), so that browsers without
SVG icons, home screens and link previews show the same mark. Run after changing the
SVG; the files are committed, so nothing is drawn at start-up.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw, ImageFont

STATIC = Path(settings.BASE_DIR) / "static"
ACCENT = (31, 95, 191)
MARK = (255, 233, 138)
WHITE = (255, 255, 255)
# (width of the line, opacity) of the three text lines, on the SVG's 64-unit grid.
LINES = [(36, 255), (28, 217), (20, 179)]
# Sizes of the PNG icons: the manifest's (192, 512) and Apple's home-screen icon (180).
ICON_SIZES = (180, 192, 512)
SHARE_SIZE = (1200, 630)  # what link previews crop least


def draw_mark(image: Image.Image, left: float, top: float, size: float, *, tile=True) -> None:
    """The mark of favicon.svg, `size` pixels wide, at (left, top)."""
    unit = size / 64
    draw = ImageDraw.Draw(image, "RGBA")
    if tile:
        draw.rounded_rectangle((left, top, left + size, top + size), radius=14 * unit, fill=ACCENT)
    for index, (width, alpha) in enumerate(LINES):
        y = top + (17 + 12 * index) * unit
        draw.rounded_rectangle(
            (left + 14 * unit, y, left + (14 + width) * unit, y + 7 * unit),
            radius=3.5 * unit,
            fill=(*WHITE, alpha),
        )
    draw.ellipse(
        (left + 40 * unit, top + 39.5 * unit, left + 50 * unit, top + 49.5 * unit), fill=MARK
    )


def icon(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw_mark(image, 0, 0, size)
    return image


def share_picture() -> Image.Image:
    height = SHARE_SIZE[1]
    image = Image.new("RGB", SHARE_SIZE, ACCENT)
    draw_mark(image, 110, (height - 260) / 2, 260, tile=False)
    draw = ImageDraw.Draw(image)
    draw.text(
        (420, height / 2),
        settings.SITE_NAME,
        fill=WHITE,
        font=ImageFont.load_default(size=88),
        anchor="lm",
    )
    return image


class Command(BaseCommand):
    help = "Draw favicon.ico, the PNG icons and the default share picture into static/."

    def handle(self, *args, **options):
        (STATIC / "icons").mkdir(exist_ok=True)
        icon(256).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
        for size in ICON_SIZES:
            icon(size).save(STATIC / "icons" / f"icon-{size}.png", optimize=True)
        share_picture().save(STATIC / "icons" / "share.png", optimize=True)
        self.stdout.write("Drew static/favicon.ico, static/icons/icon-*.png and share.png.")
