"""Pictures for the demo report, drawn with Pillow.

Nothing is downloaded: every picture is an abstract drawing (gradients and
simple shapes) with a short ASCII label in Pillow's built-in font. Each picture
has its own fixed random seed, so the same key always gives the same image.
"""

import io
import itertools
import math
import random
import zlib
from collections.abc import Callable, Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1600, 1000
SIZE = (WIDTH, HEIGHT)

Colour = tuple[int, ...]
Point = tuple[float, float]

INK = (31, 41, 64)
MUTED = (92, 104, 128)
WHITE = (255, 255, 255)


# --- Drawing helpers -------------------------------------------------------------------------


@cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _mix(a: Colour, b: Colour, t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _at(stops: Sequence[tuple[float, Colour]], t: float) -> tuple[int, ...]:
    for (p0, c0), (p1, c1) in itertools.pairwise(stops):
        if t <= p1:
            return _mix(c0, c1, 0.0 if p1 == p0 else (t - p0) / (p1 - p0))
    return tuple(stops[-1][1])


def gradient(
    size: tuple[int, int], stops: Sequence[tuple[float, Colour]], horizontal: bool = False
) -> Image.Image:
    """An RGB image shading through `stops` ((position 0..1, colour), ...)."""
    width, height = size
    length = width if horizontal else height
    strip = Image.new("RGB", (length, 1) if horizontal else (1, length))
    strip.putdata([_at(stops, i / max(1, length - 1)) for i in range(length)])
    return strip.resize(size, Image.Resampling.NEAREST)


def glow(image: Image.Image, centre: Point, radius: int, colour: Colour, strength: float = 1.0):
    """Blend a soft round light into `image`."""
    # Pillow's radial gradient reaches 181 at the middle of each edge (and 255 in the corners).
    mask = Image.radial_gradient("L").resize((radius * 2, radius * 2))
    mask = mask.point(lambda v: round(255 * strength * max(0.0, 1 - v / 181) ** 2))
    x, y = round(centre[0] - radius), round(centre[1] - radius)
    image.paste(colour[:3], (x, y, x + radius * 2, y + radius * 2), mask)


def soft_blobs(
    image: Image.Image,
    rng: random.Random,
    count: int,
    colours: Sequence[Colour],
    radius: tuple[int, int],
    area: tuple[int, int, int, int] | None = None,
    alpha: tuple[int, int] = (30, 80),
    blur: float = 3.0,
) -> None:
    """Out-of-focus lights, drawn small, blurred and scaled up (fast)."""
    scale = 4
    layer = Image.new("RGBA", (WIDTH // scale, HEIGHT // scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    x0, y0, x1, y1 = area or (0, 0, WIDTH, HEIGHT)
    for _ in range(count):
        r = rng.uniform(*radius) / scale
        cx, cy = rng.uniform(x0, x1) / scale, rng.uniform(y0, y1) / scale
        colour = (*rng.choice(colours)[:3], rng.randint(*alpha))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    layer = layer.filter(ImageFilter.GaussianBlur(blur)).resize(SIZE, Image.Resampling.BILINEAR)
    image.paste(layer, (0, 0), layer)


def text_lines(
    draw: ImageDraw.ImageDraw,
    centre: Point,
    lines: Sequence[str],
    size: int,
    fill: Colour,
    spacing: float = 1.3,
) -> None:
    """Lines of text centred on `centre`."""
    step = size * spacing
    y = centre[1] - step * (len(lines) - 1) / 2
    for line in lines:
        draw.text((centre[0], y), line, font=font(size), fill=fill, anchor="mm")
        y += step


def box(
    draw: ImageDraw.ImageDraw,
    xy: Sequence[float],
    fill: Colour,
    lines: Sequence[str] = (),
    outline: Colour | None = None,
    text_fill: Colour = INK,
    size: int = 34,
    radius: int = 22,
) -> None:
    draw.rounded_rectangle(xy, radius=radius, fill=fill, outline=outline, width=4)
    if lines:
        text_lines(draw, ((xy[0] + xy[2]) / 2, (xy[1] + xy[3]) / 2), lines, size, text_fill)


def arrow(
    draw: ImageDraw.ImageDraw,
    start: Point,
    end: Point,
    fill: Colour,
    width: int = 6,
    head: int = 24,
) -> None:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    shaft_end = (end[0] - head * 0.7 * math.cos(angle), end[1] - head * 0.7 * math.sin(angle))
    draw.line([start, shaft_end], fill=fill, width=width)
    wing = 0.42
    draw.polygon(
        [
            end,
            (end[0] - head * math.cos(angle - wing), end[1] - head * math.sin(angle - wing)),
            (end[0] - head * math.cos(angle + wing), end[1] - head * math.sin(angle + wing)),
        ],
        fill=fill,
    )


def dashed(
    draw: ImageDraw.ImageDraw,
    start: Point,
    end: Point,
    fill: Colour,
    width: int = 4,
    dash: int = 16,
) -> None:
    length = math.dist(start, end)
    steps = max(1, int(length // (dash * 2)))
    for i in range(steps + 1):
        t0, t1 = (2 * i * dash) / length, min(1.0, (2 * i + 1) * dash / length)
        if t0 >= 1:
            break
        draw.line(
            [_lerp_point(start, end, t0), _lerp_point(start, end, t1)], fill=fill, width=width
        )


def _lerp_point(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def place(
    image: Image.Image, sprite: Image.Image, centre: Point, angle: float = 0, shadow: int = 0
) -> None:
    """Paste an RGBA sprite, rotated, with an optional soft drop shadow."""
    turned = sprite.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    x, y = round(centre[0] - turned.width / 2), round(centre[1] - turned.height / 2)
    if shadow:
        pad = shadow * 3
        alpha = turned.getchannel("A").point(lambda v: v * 45 // 100)
        shade = Image.new("L", (turned.width + 2 * pad, turned.height + 2 * pad), 0)
        shade.paste(alpha, (pad, pad))
        shade = shade.filter(ImageFilter.GaussianBlur(shadow))
        image.paste((0, 0, 0), (x - pad + shadow, y - pad + shadow * 2), shade)
    image.paste(turned, (x, y), turned)


def label(image: Image.Image, title: str, subtitle: str = "") -> None:
    """The short ASCII caption pill in the lower left corner."""
    draw = ImageDraw.Draw(image, "RGBA")
    width = draw.textlength(title, font=font(40))
    if subtitle:
        width = max(width, draw.textlength(subtitle, font=font(26)))
    height = 118 if subtitle else 80
    x0, y1 = 48, HEIGHT - 48
    draw.rounded_rectangle(
        (x0, y1 - height, x0 + width + 64, y1), radius=20, fill=(12, 16, 28, 168)
    )
    draw.text((x0 + 32, y1 - height + 18), title, font=font(40), fill=WHITE)
    if subtitle:
        draw.text((x0 + 32, y1 - height + 70), subtitle, font=font(26), fill=(204, 214, 232))


def slide(title: str, accent: Colour, subtitle: str = "") -> tuple[Image.Image, ImageDraw.Draw]:
    """A light background in the style of a talk's slide."""
    image = gradient(SIZE, [(0, (250, 251, 254)), (1, (228, 234, 244))])
    draw = ImageDraw.Draw(image, "RGBA")
    for x in range(40, WIDTH, 48):
        for y in range(200, HEIGHT, 48):
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=(160, 174, 200, 60))
    draw.rectangle((0, 0, WIDTH, 12), fill=accent)
    draw.text((80, 58), title, font=font(60), fill=INK)
    if subtitle:
        draw.text((82, 134), subtitle, font=font(30), fill=MUTED)
    return image, draw


# --- Section figures ---------------------------------------------------------------------------


def _badge(colour: Colour, role: str) -> Image.Image:
    w, h = 360, 520
    sprite = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sprite)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=28, fill=(250, 250, 252, 255))
    draw.rounded_rectangle((0, 0, w - 1, 180), radius=28, fill=colour)
    draw.rectangle((0, 150, w - 1, 180), fill=colour)
    draw.rounded_rectangle((w / 2 - 44, 22, w / 2 + 44, 40), radius=9, fill=(28, 30, 40, 255))
    draw.text((w / 2, 92), "KubeCon", font=font(48), fill=WHITE, anchor="mm")
    draw.text((w / 2, 140), "CloudNativeCon", font=font(30), fill=WHITE, anchor="mm")
    draw.text((w / 2, 226), "North America 2022", font=font(27), fill=INK, anchor="mm")
    draw.rounded_rectangle((w / 2 - 120, 280, w / 2 + 120, 312), radius=14, fill=(214, 220, 232))
    draw.rounded_rectangle((w / 2 - 86, 334, w / 2 + 86, 356), radius=11, fill=(226, 231, 240))
    draw.rectangle((0, h - 100, w - 1, h - 40), fill=colour)
    draw.text((w / 2, h - 70), role, font=font(30), fill=WHITE, anchor="mm")
    return sprite


def _sticker(colour: Colour, lines: Sequence[str], radius: int = 104) -> Image.Image:
    size = radius * 2 + 8
    sprite = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sprite)
    draw.ellipse((0, 0, size - 1, size - 1), fill=(255, 255, 255, 255))
    draw.ellipse((8, 8, size - 9, size - 9), fill=colour)
    text_lines(draw, (size / 2, size / 2), lines, 30, WHITE, spacing=1.2)
    return sprite


def _hex_sticker(colour: Colour, text: str, radius: int = 92) -> Image.Image:
    size = radius * 2 + 4
    sprite = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sprite)
    draw.regular_polygon((size / 2, size / 2, radius), 6, fill=(255, 255, 255, 255))
    draw.regular_polygon((size / 2, size / 2, radius - 9), 6, fill=colour)
    draw.text((size / 2, size / 2), text, font=font(40), fill=WHITE, anchor="mm")
    return sprite


def badges(rng: random.Random) -> Image.Image:
    image = gradient(SIZE, [(0, (38, 52, 72)), (1, (16, 22, 33))])
    glow(image, (1300, 180), 520, (90, 120, 200), 0.35)
    glow(image, (260, 900), 420, (140, 90, 170), 0.25)
    soft_blobs(image, rng, 26, [(255, 214, 150), (160, 200, 255)], (20, 60), alpha=(20, 60))
    draw = ImageDraw.Draw(image, "RGBA")
    # Lanyards leave the picture at the top.
    for x_top, x_badge, colour in ((420, 470, (50, 108, 229)), (820, 770, (232, 93, 117))):
        draw.polygon(
            [(x_top - 34, -10), (x_top + 34, -10), (x_badge + 30, 300), (x_badge - 30, 300)],
            fill=(*colour, 255),
        )
    place(image, _badge((50, 108, 229), "ATTENDEE"), (470, 500), angle=6, shadow=14)
    place(image, _badge((232, 93, 117), "SPEAKER"), (790, 540), angle=-8, shadow=14)
    stickers = [
        (_sticker((46, 164, 96), ["Happy", "to chat!"]), (1130, 300), -12),
        (_sticker((238, 160, 36), ["Elbow", "bumps"]), (1370, 500), 10),
        (_sticker((214, 64, 72), ["Please", "keep", "distance"]), (1120, 690), 4),
        (_hex_sticker((50, 108, 229), "k8s"), (1400, 790), 18),
        (_hex_sticker((20, 150, 160), "eBPF"), (1410, 230), -6),
        (_hex_sticker((118, 78, 200), "Wasm"), (1030, 880), 24),
    ]
    for sprite, centre, angle in stickers:
        place(image, sprite, centre, angle=angle, shadow=8)
    label(image, "Badges & stickers", "KubeCon + CloudNativeCon NA 2022")
    return image


def _pod(draw: ImageDraw.ImageDraw, x: int, y: int, name: str, proxy: bool, w: int = 300) -> None:
    box(draw, (x, y, x + w, y + 300), (232, 240, 255), outline=(90, 130, 210), radius=26)
    draw.text((x + 22, y + 16), name, font=font(26), fill=MUTED)
    if proxy:
        box(
            draw,
            (x + 24, y + 64, x + w - 24, y + 160),
            (255, 255, 255),
            ["app"],
            outline=(90, 130, 210),
        )
        box(
            draw,
            (x + 24, y + 180, x + w - 24, y + 276),
            (255, 170, 92),
            ["sidecar proxy"],
            text_fill=WHITE,
            size=30,
        )
    else:
        box(
            draw,
            (x + 24, y + 64, x + w - 24, y + 276),
            (255, 255, 255),
            ["app"],
            outline=(90, 130, 210),
        )


def istio_sidecar(rng: random.Random) -> Image.Image:
    image, draw = slide("Sidecar model", (72, 110, 230), "Every pod carries a full proxy")
    box(draw, (620, 210, 980, 300), (44, 62, 104), ["control plane"], text_fill=WHITE)
    for i, x in enumerate((170, 650, 1130)):
        arrow(draw, (800, 300), (x + 150, 470), (120, 136, 170), width=4, head=18)
        _pod(draw, x, 470, f"pod {i + 1}", proxy=True)
    notes = ["upgrade = restart every pod", "start / stop ordering", "mTLS + L7 in every proxy"]
    for i, note in enumerate(notes):
        x = 170 + i * 480
        draw.rounded_rectangle((x, 820, x + 420, 884), radius=32, fill=(255, 226, 200))
        draw.text((x + 210, 852), note, font=font(28), fill=(150, 70, 10), anchor="mm")
    return image


def istio_ambient(rng: random.Random) -> Image.Image:
    image, draw = slide("Ambient mode", (20, 150, 160), "Two layers, chosen per workload")
    box(
        draw,
        (130, 220, 1040, 330),
        (140, 110, 220),
        ["L7 processing layer (only where needed)"],
        text_fill=WHITE,
        size=32,
    )
    for i, x in enumerate((130, 440, 750)):
        box(
            draw,
            (x, 400, x + 290, 620),
            (255, 255, 255),
            [f"pod {i + 1}", "app only"],
            outline=(20, 150, 160),
            size=30,
        )
    arrow(draw, (585, 400), (585, 334), (140, 110, 220), width=5, head=20)
    box(
        draw,
        (130, 680, 1040, 790),
        (20, 150, 160),
        ["secure overlay layer (mTLS, L4)"],
        text_fill=WHITE,
        size=32,
    )
    for x in (275, 585, 895):
        arrow(draw, (x, 620), (x, 676), (20, 150, 160), width=5, head=20)
    _pod(draw, 1160, 400, "sidecar pod", proxy=True)
    dashed(draw, (1110, 230), (1110, 880), (150, 160, 180), width=3)
    draw.text((1310, 740), "coexists in the same mesh", font=font(28), fill=MUTED, anchor="mm")
    draw.rounded_rectangle((130, 830, 1040, 890), radius=30, fill=(210, 242, 240))
    draw.text(
        (585, 860),
        "no app restart on data plane upgrade",
        font=font(28),
        fill=(10, 100, 108),
        anchor="mm",
    )
    return image


def feature_flow(rng: random.Random) -> Image.Image:
    image, draw = slide("From proposal to GA", (50, 108, 229), "Where a feature spends its time")
    stages = ["idea", "SIG", "KEP", "alpha", "beta", "GA"]
    start, end = (60, 150, 240), (40, 170, 110)
    x, y, w, h, tip = 70, 360, 225, 150, 46
    for i, stage in enumerate(stages):
        colour = _mix(start, end, i / (len(stages) - 1))
        points = [(x, y), (x + w, y), (x + w + tip, y + h / 2), (x + w, y + h), (x, y + h)]
        if i:
            points.append((x + tip, y + h / 2))
        draw.polygon(points, fill=colour)
        draw.text(
            (x + w / 2 + (tip / 2 if i else 0), y + h / 2),
            stage,
            font=font(40),
            fill=WHITE,
            anchor="mm",
        )
        x += w + 14
    for gate_x in (875, 1114):
        arrow(draw, (gate_x, 520), (gate_x - 60, 690), (214, 64, 72), width=5, head=20)
    box(
        draw,
        (640, 700, 1180, 800),
        (255, 228, 228),
        ["rejected or rolled back"],
        outline=(214, 64, 72),
        text_fill=(160, 30, 40),
        size=32,
    )
    draw.text(
        (80, 250),
        "every stage has a gate: a feature can stop, or step back",
        font=font(30),
        fill=MUTED,
    )
    draw.text((80, 880), "no breaking changes after GA", font=font(34), fill=(40, 130, 80))
    return image


def feature_questions(rng: random.Random) -> Image.Image:
    image, draw = slide("Every feature must answer", (232, 93, 117), "Before anyone writes code")
    questions = [
        "Is it a wide problem, or a niche one?",
        "Does it raise a security concern?",
        "Does it raise a performance concern?",
        "Is it a breaking change? (never in GA)",
        "Was it discussed before? What was decided?",
    ]
    for i, question in enumerate(questions):
        y = 240 + i * 128
        draw.rounded_rectangle(
            (80, y, 1060, y + 100),
            radius=24,
            fill=(255, 255, 255),
            outline=(214, 222, 236),
            width=3,
        )
        draw.rounded_rectangle(
            (108, y + 26, 156, y + 74), radius=10, outline=(232, 93, 117), width=5
        )
        draw.text((186, y + 50), question, font=font(36), fill=INK, anchor="lm")
    glow(image, (1330, 540), 300, (255, 190, 205), 0.9)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse((1160, 370, 1500, 710), fill=(232, 93, 117))
    draw.text((1330, 540), "?", font=font(230), fill=WHITE, anchor="mm")
    return image


def falco_sources(rng: random.Random) -> Image.Image:
    image, draw = slide("One Falco, many event sources", (0, 174, 199), "Falco 0.33 and later")
    sources = [
        ("syscalls", "kernel module / eBPF"),
        ("gVisor", "since 0.32.1"),
        ("plugins", "other event sources"),
    ]
    for i, (name, note) in enumerate(sources):
        y = 250 + i * 210
        box(draw, (90, y, 520, y + 160), (255, 255, 255), outline=(0, 174, 199), radius=24)
        draw.text((305, y + 58), name, font=font(40), fill=INK, anchor="mm")
        draw.text((305, y + 110), note, font=font(26), fill=MUTED, anchor="mm")
        arrow(draw, (520, y + 80), (690, 560), (0, 140, 165), width=5, head=20)
    glow(image, (860, 560), 260, (150, 230, 240), 0.8)
    draw = ImageDraw.Draw(image, "RGBA")
    box(
        draw,
        (700, 450, 1020, 670),
        (0, 130, 160),
        ["Falco", "rules engine"],
        text_fill=WHITE,
        size=40,
        radius=34,
    )
    arrow(draw, (1020, 560), (1180, 560), (0, 140, 165), width=6)
    box(
        draw,
        (1190, 470, 1510, 650),
        (255, 236, 214),
        ["alerts"],
        outline=(230, 140, 40),
        text_fill=(150, 80, 10),
        size=40,
    )
    draw.text((860, 760), "was: one deployment per source", font=font(30), fill=MUTED, anchor="mm")
    return image


def ha_migration(rng: random.Random) -> Image.Image:
    image, draw = slide("Single node to HA control plane", (120, 90, 210), "Order matters")
    box(draw, (90, 380, 430, 700), (255, 255, 255), outline=(120, 90, 210), radius=26)
    draw.text((260, 420), "control plane VM", font=font(30), fill=INK, anchor="mm")
    box(draw, (120, 460, 400, 560), (232, 226, 252), ["api-server"], size=30)
    box(draw, (120, 580, 400, 670), (255, 214, 170), ["etcd"], size=30)
    arrow(draw, (440, 540), (640, 540), (120, 90, 210), width=6)
    draw.text((540, 505), "snapshot", font=font(28), fill=MUTED, anchor="mm")
    box(draw, (880, 220, 1320, 310), (44, 62, 104), ["load balancer"], text_fill=WHITE)
    centres = (790, 1100, 1410)
    for cx in centres:
        arrow(draw, (1100, 310), (cx, 400), (120, 136, 170), width=4, head=18)
        box(draw, (cx - 135, 405, cx + 135, 700), (255, 255, 255), outline=(120, 90, 210))
        box(draw, (cx - 110, 440, cx + 110, 540), (232, 226, 252), ["api-server"], size=28)
        box(draw, (cx - 110, 580, cx + 110, 670), (255, 214, 170), ["etcd"], size=28)
    for a, b in ((centres[0], centres[1]), (centres[1], centres[2])):
        dashed(draw, (a + 110, 625), (b - 110, 625), (230, 130, 40), width=4, dash=10)
    steps = [
        "1 snapshot the VM",
        "2 put VMs behind an LB",
        "3 restore etcd, form cluster",
        "4 accept api-server writes",
    ]
    for i, step in enumerate(steps):
        x = 90 + i * 362
        draw.rounded_rectangle((x, 780, x + 340, 850), radius=35, fill=(236, 232, 252))
        draw.text((x + 170, 815), step, font=font(26), fill=(80, 56, 160), anchor="mm")
    return image


def _terminal(title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = gradient(SIZE, [(0, (70, 60, 140)), (1, (30, 80, 120))], horizontal=True)
    glow(image, (1400, 120), 500, (255, 150, 200), 0.3)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rounded_rectangle((70, 60, 1530, 940), radius=18, fill=(22, 24, 30))
    draw.rounded_rectangle((70, 60, 1530, 116), radius=18, fill=(54, 57, 66))
    draw.rectangle((70, 100, 1530, 116), fill=(54, 57, 66))
    for i, colour in enumerate(((255, 95, 86), (255, 189, 46), (39, 201, 63))):
        cx = 106 + i * 34
        draw.ellipse((cx - 10, 78, cx + 10, 98), fill=colour)
    draw.text((800, 88), title, font=font(24), fill=(180, 184, 194), anchor="mm")
    return image, draw


PROMPT = (120, 220, 140)
OUTPUT = (222, 226, 234)
DIM = (130, 138, 154)
HIGHLIGHT = (255, 206, 90)


def _print(
    draw: ImageDraw.ImageDraw, x: int, y: int, lines: Sequence[tuple[Colour, str]], size: int = 28
) -> int:
    for colour, line in lines:
        draw.text((x, y), line, font=font(size), fill=colour)
        y += round(size * 1.55)
    return y


def logs_waiting(rng: random.Random) -> Image.Image:
    image, draw = _terminal("minikube - zsh")
    y = _print(
        draw,
        110,
        150,
        [
            (PROMPT, "$ kubectl get pods"),
            (DIM, "NAME                                 READY   STATUS"),
            (OUTPUT, "computee-6c9f7d5b8-q4kzt   1/1        Running"),
            (PROMPT, "$ minikube ssh"),
            (PROMPT, "$ sudo bpftrace -e 'uprobe:/path/to/app:main.computeE"),
            (PROMPT, '      { printf("iterations=%d\\n", reg("ax")); }\''),
            (OUTPUT, "Attaching 1 probe..."),
        ],
    )
    draw.rectangle((112, y + 6, 130, y + 36), fill=OUTPUT)
    draw.text((1490, 900), "waiting for calls ...", font=font(24), fill=DIM, anchor="rm")
    return image


def logs_output(rng: random.Random) -> Image.Image:
    image, draw = _terminal("minikube - 2 panes")
    draw.line((800, 118, 800, 938), fill=(60, 64, 74), width=3)
    calls = [100, 1000, 5000, 20000]
    left = []
    for n in calls:
        left += [
            (PROMPT, "$ curl -s localhost:8080/computeE \\"),
            (PROMPT, f"      -d iterations={n}"),
            (OUTPUT, "e = 2.718281828459045"),
        ]
    _print(draw, 100, 150, left, size=26)
    right = [(OUTPUT, "Attaching 1 probe...")] + [(HIGHLIGHT, f"iterations={n}") for n in calls]
    y = _print(draw, 830, 150, right, size=30)
    draw.rectangle((832, y + 6, 850, y + 36), fill=OUTPUT)
    return image


# --- Gallery ------------------------------------------------------------------------------------


def river(rng: random.Random) -> Image.Image:
    horizon = 540
    image = gradient(
        SIZE,
        [
            (0, (24, 36, 86)),
            (0.3, (92, 84, 150)),
            (0.5, (236, 150, 122)),
            (0.56, (255, 196, 140)),
            (1, (255, 196, 140)),
        ],
    )
    glow(image, (1060, horizon - 150), 420, (255, 214, 160), 0.9)
    glow(image, (1060, horizon - 150), 110, (255, 236, 200), 0.9)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse((1022, horizon - 188, 1098, horizon - 112), fill=(255, 244, 222))
    # The Canadian shore across the river.
    x = -20
    while x < WIDTH:
        w = rng.randint(30, 90)
        h = rng.choice([rng.randint(18, 60), rng.randint(40, 110), rng.randint(90, 170)])
        draw.rectangle((x, horizon - h, x + w, horizon + 4), fill=(58, 46, 84))
        for _ in range(h // 30):
            wx, wy = rng.randint(x + 4, x + w - 8), rng.randint(horizon - h + 6, horizon - 6)
            draw.rectangle((wx, wy, wx + 4, wy + 4), fill=(255, 214, 150, 150))
        x += w + rng.randint(0, 14)
    water = gradient(
        (WIDTH, HEIGHT - horizon), [(0, (190, 122, 128)), (0.4, (70, 62, 110)), (1, (18, 26, 58))]
    )
    image.paste(water, (0, horizon))
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(420):
        y = rng.uniform(horizon + 6, HEIGHT)
        spread = 40 + (y - horizon) * 0.6
        near_sun = rng.random() < 0.55
        cx = rng.gauss(1060, spread * 0.5) if near_sun else rng.uniform(0, WIDTH)
        length = rng.uniform(10, 40) * (0.6 + (y - horizon) / 300)
        colour = (255, 218, 170, rng.randint(70, 170)) if near_sun else (210, 190, 230, 50)
        draw.line((cx - length, y, cx + length, y), fill=colour, width=2 + int((y - horizon) / 160))
    # The River Walk railing in the foreground.
    rail = (18, 18, 28)
    draw.rectangle((0, 850, WIDTH, 866), fill=rail)
    draw.rectangle((0, 930, WIDTH, 940), fill=rail)
    for post in range(40, WIDTH, 170):
        draw.rectangle((post, 850, post + 14, HEIGHT), fill=rail)
    draw.rectangle((286, 360, 298, 850), fill=rail)
    draw.rounded_rectangle((262, 330, 322, 372), radius=10, fill=rail)
    glow(image, (292, 384), 70, (255, 220, 160), 0.8)
    label(image, "Detroit River at dawn", "Canada on the far shore")
    return image


def lunch(rng: random.Random) -> Image.Image:
    image = gradient(SIZE, [(0, (156, 108, 72)), (1, (112, 74, 48))], horizontal=True)
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(70):
        y = rng.uniform(0, HEIGHT)
        wave = rng.uniform(4, 14)
        points = [(x, y + wave * math.sin(x / rng.uniform(120, 260))) for x in range(0, 1601, 40)]
        draw.line(points, fill=(70, 40, 20, rng.randint(20, 50)), width=rng.randint(1, 4))
    # Plate with rice and a curry-like stew.
    glow(image, (700, 540), 420, (30, 18, 10), 0.7)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse((340, 160, 1040, 860), fill=(248, 247, 244))
    draw.ellipse((400, 220, 980, 800), outline=(226, 224, 218), width=6)
    draw.ellipse((440, 290, 760, 720), fill=(246, 240, 222))
    for _ in range(260):
        gx, gy = rng.gauss(590, 60), rng.gauss(505, 95)
        draw.ellipse((gx - 7, gy - 3, gx + 7, gy + 3), fill=(255, 252, 240, 200))
    draw.ellipse((610, 280, 950, 740), fill=(150, 84, 30))
    for _ in range(26):
        cx, cy = rng.gauss(780, 70), rng.gauss(510, 100)
        r = rng.uniform(16, 30)
        colour = rng.choice([(226, 130, 48), (236, 196, 108), (120, 62, 30), (200, 110, 40)])
        draw.rounded_rectangle((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), radius=8, fill=colour)
    # Tuna salad in a bowl.
    glow(image, (1310, 320), 240, (30, 18, 10), 0.6)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse((1120, 130, 1500, 510), fill=(250, 250, 250))
    draw.ellipse((1150, 160, 1470, 480), fill=(232, 236, 230))
    for _ in range(70):
        cx, cy = rng.gauss(1310, 70), rng.gauss(320, 70)
        r = rng.uniform(18, 42)
        colour = rng.choice([(88, 160, 64), (124, 190, 80), (60, 130, 60), (160, 205, 100)])
        draw.ellipse((cx - r, cy - r * 0.6, cx + r, cy + r * 0.6), fill=colour)
    for _ in range(22):
        cx, cy = rng.gauss(1310, 55), rng.gauss(320, 55)
        draw.ellipse((cx - 16, cy - 12, cx + 16, cy + 12), fill=(226, 196, 170))
    for _ in range(30):
        cx, cy = rng.gauss(1310, 70), rng.gauss(320, 70)
        draw.ellipse((cx - 6, cy - 6, cx + 6, cy + 6), fill=(250, 210, 70))
    # Cutlery and a coffee.
    draw.rounded_rectangle((196, 260, 226, 780), radius=14, fill=(206, 210, 216))
    draw.rounded_rectangle((250, 420, 276, 780), radius=12, fill=(206, 210, 216))
    draw.rounded_rectangle((244, 250, 282, 440), radius=16, fill=(206, 210, 216))
    draw.ellipse((1190, 640, 1450, 900), fill=(250, 250, 250))
    draw.ellipse((1220, 670, 1420, 870), fill=(94, 58, 34))
    glow(image, (1300, 750), 60, (180, 120, 80), 0.6)
    label(image, "Lunch, day 1", "a warm curry-like stew and tuna salad")
    return image


def keynote(rng: random.Random) -> Image.Image:
    image = gradient(SIZE, [(0, (10, 12, 36)), (0.6, (30, 16, 62)), (1, (8, 6, 18))])
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(7):
        top = rng.uniform(100, 1500)
        spread = rng.uniform(120, 240)
        foot = rng.uniform(200, 1400)
        draw.polygon(
            [(top - 12, 0), (top + 12, 0), (foot + spread, 680), (foot - spread, 680)],
            fill=(190, 170, 255, 22),
        )
    for centre, radius, colour in (
        ((800, 340), 560, (90, 140, 255)),
        ((280, 350), 260, (220, 90, 200)),
        ((1320, 350), 260, (220, 90, 200)),
    ):
        glow(image, centre, radius, colour, 0.45)
    screen = gradient((620, 350), [(0, (40, 90, 220)), (1, (130, 60, 200))], horizontal=True)
    image.paste(screen, (490, 160))
    draw = ImageDraw.Draw(image, "RGBA")
    text_lines(draw, (800, 335), ["KubeCon + CloudNativeCon", "North America 2022"], 48, WHITE)
    for x in (130, 1170):
        side = gradient((300, 220), [(0, (60, 40, 110)), (1, (26, 20, 60))])
        image.paste(side, (x, 240))
        draw = ImageDraw.Draw(image, "RGBA")
        draw.ellipse((x + 120, 280, x + 180, 340), fill=(200, 190, 240))
        draw.rounded_rectangle((x + 80, 350, x + 220, 460), radius=40, fill=(200, 190, 240))
    draw.rectangle((0, 640, WIDTH, 700), fill=(24, 16, 44))
    draw.rectangle((0, 636, WIDTH, 642), fill=(120, 100, 230, 160))
    draw.rounded_rectangle((760, 560, 840, 640), radius=8, fill=(40, 30, 70))
    # The audience, from the back rows (small) to the front (large).
    for row in range(7):
        y = 700 + row * 46
        r = 14 + row * 5
        x = rng.uniform(-20, 20)
        while x < WIDTH + 40:
            shade = 6 + row * 2 + rng.randint(0, 6)
            colour = (shade, shade, shade + 10)
            hy = y + rng.uniform(-6, 6)
            draw.rounded_rectangle(
                (x - r * 1.9, hy + r * 0.8, x + r * 1.9, hy + r * 4), radius=r, fill=colour
            )
            draw.ellipse((x - r, hy - r, x + r, hy + r), fill=colour)
            if rng.random() < 0.05:
                draw.rounded_rectangle(
                    (x - r * 0.5, hy - r * 2.6, x + r * 0.5, hy - r * 1.2),
                    radius=4,
                    fill=(210, 230, 255, 220),
                )
            x += r * 2.6 + rng.uniform(0, r)
    label(image, "Keynote hall")
    return image


def venue(rng: random.Random) -> Image.Image:
    image = gradient(SIZE, [(0, (96, 152, 220)), (0.7, (190, 218, 244)), (1, (214, 230, 246))])
    for _ in range(5):
        cx, cy = rng.uniform(100, 1500), rng.uniform(60, 200)
        for _ in range(6):
            glow(
                image,
                (cx + rng.uniform(-160, 160), cy + rng.uniform(-20, 20)),
                rng.randint(60, 110),
                (255, 255, 255),
                0.5,
            )
    draw = ImageDraw.Draw(image, "RGBA")
    ground = 780
    # Lower concrete block on the left, the long glass hall on the right.
    draw.rectangle((0, 470, 300, ground), fill=(176, 178, 184))
    for y in range(500, ground, 46):
        draw.rectangle((0, y, 300, y + 8), fill=(150, 152, 160))
    draw.polygon([(240, 300), (1640, 250), (1640, ground), (240, ground)], fill=(44, 58, 74))
    glass = gradient((1340, 400), [(0, (150, 196, 232)), (0.5, (96, 140, 186)), (1, (60, 90, 130))])
    image.paste(glass, (270, 360))
    draw = ImageDraw.Draw(image, "RGBA")
    for x in range(270, 1611, 64):
        draw.rectangle((x, 360, x + 5, 760), fill=(40, 52, 66))
    for y in range(360, 761, 80):
        draw.rectangle((270, y, 1610, y + 5), fill=(40, 52, 66))
    for _ in range(12):
        x = rng.randint(300, 1500)
        draw.polygon(
            [(x, 360), (x + 90, 360), (x - 60, 760), (x - 150, 760)], fill=(255, 255, 255, 26)
        )
    draw.polygon([(220, 270), (1640, 236), (1640, 330), (220, 346)], fill=(214, 218, 226))
    draw.text((840, 304), "HUNTINGTON PLACE", font=font(44), fill=(40, 52, 66), anchor="mm")
    plaza = gradient((WIDTH, HEIGHT - ground), [(0, (196, 194, 188)), (1, (150, 148, 142))])
    image.paste(plaza, (0, ground))
    draw = ImageDraw.Draw(image, "RGBA")
    for x in range(-400, WIDTH, 120):
        draw.line((x + 400, ground, x, HEIGHT), fill=(130, 128, 122, 90), width=2)
    for tx in (120, 420, 1380):
        draw.rectangle((tx - 8, 650, tx + 8, 800), fill=(90, 66, 44))
        for _ in range(9):
            cx, cy = rng.gauss(tx, 40), rng.gauss(610, 40)
            r = rng.uniform(40, 70)
            green = rng.choice([(64, 128, 70), (84, 150, 80), (48, 104, 60)])
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=green)
    walkers = sorted(
        ((rng.uniform(500, 1500), rng.uniform(800, 900)) for _ in range(14)), key=lambda p: p[1]
    )
    for px, py in walkers:
        s = 0.7 + (py - 800) / 200
        colour = rng.choice([(40, 44, 60), (120, 50, 60), (50, 80, 120), (70, 70, 70)])
        draw.rounded_rectangle(
            (px - 11 * s, py - 40 * s, px + 11 * s, py + 18 * s), radius=int(9 * s), fill=colour
        )
        draw.ellipse((px - 8 * s, py - 60 * s, px + 8 * s, py - 44 * s), fill=(70, 52, 42))
    label(image, "Huntington Place", "Detroit, Michigan")
    return image


def _tshirt(draw: ImageDraw.ImageDraw, cx: float, top: float, colour: Colour) -> None:
    w, h, sleeve = 150, 190, 52
    draw.polygon(
        [
            (cx - w / 2 - sleeve, top + 20),
            (cx - 30, top),
            (cx + 30, top),
            (cx + w / 2 + sleeve, top + 20),
            (cx + w / 2 + 24, top + 88),
            (cx + w / 2, top + 76),
            (cx + w / 2, top + h),
            (cx - w / 2, top + h),
            (cx - w / 2, top + 76),
            (cx - w / 2 - 24, top + 88),
        ],
        fill=colour,
    )
    draw.chord((cx - 30, top - 24, cx + 30, top + 24), 0, 180, fill=(246, 238, 226))
    ink = INK if sum(colour[:3]) > 600 else WHITE
    draw.text((cx, top + 110), "CNCF", font=font(30), fill=ink, anchor="mm")


def _plush(draw: ImageDraw.ImageDraw, cx: float, base: float, colour: Colour, size: float) -> None:
    body = (cx - size * 0.8, base - size * 1.4, cx + size * 0.8, base)
    draw.ellipse(body, fill=colour)
    hy = base - size * 1.7
    for ex in (cx - size * 0.55, cx + size * 0.55):
        draw.ellipse(
            (ex - size * 0.25, hy - size * 0.75, ex + size * 0.25, hy - size * 0.25), fill=colour
        )
    draw.ellipse((cx - size * 0.7, hy - size * 0.6, cx + size * 0.7, hy + size * 0.6), fill=colour)
    for ex in (cx - size * 0.25, cx + size * 0.25):
        draw.ellipse((ex - 6, hy - 8, ex + 6, hy + 4), fill=(30, 30, 36))
    draw.ellipse((cx - 10, hy + 10, cx + 10, hy + 24), fill=(60, 40, 40))


def store(rng: random.Random) -> Image.Image:
    image = gradient(SIZE, [(0, (248, 240, 228)), (1, (224, 208, 188))])
    glow(image, (800, 0), 700, (255, 250, 236), 0.6)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rounded_rectangle((520, 40, 1080, 130), radius=20, fill=(28, 40, 80))
    draw.text((800, 86), "CNCF STORE", font=font(56), fill=WHITE, anchor="mm")
    draw.rectangle((60, 190, 1540, 198), fill=(120, 120, 128))
    colours = [
        (50, 108, 229),
        (30, 30, 40),
        (232, 93, 117),
        (20, 150, 160),
        (250, 250, 250),
        (120, 90, 210),
        (238, 160, 36),
    ]
    for i, x in enumerate(range(170, 1500, 210)):
        draw.line((x, 198, x, 214), fill=(120, 120, 128), width=4)
        _tshirt(draw, x, 214, colours[i % len(colours)])
    wood = (160, 112, 70)
    for shelf in (640, 900):
        draw.rectangle((60, shelf, 1540, shelf + 24), fill=wood)
        draw.rectangle((60, shelf + 24, 1540, shelf + 34), fill=(110, 74, 44))
    # Masks, stacked in piles.
    for x in range(120, 1500, 180):
        colour = rng.choice(colours)
        for k in range(4):
            y = 620 - k * 40
            draw.rounded_rectangle(
                (x, y - 36, x + 130, y), radius=14, fill=colour, outline=(0, 0, 0, 40), width=2
            )
            draw.line((x + 14, y - 18, x + 116, y - 18), fill=(0, 0, 0, 40), width=2)
        draw.arc((x - 26, 470, x + 20, 520), 90, 270, fill=(90, 90, 100), width=3)
        draw.arc((x + 110, 470, x + 156, 520), 270, 90, fill=(90, 90, 100), width=3)
    # Plush toys along the bottom shelf.
    plush_colours = [
        (90, 160, 240),
        (250, 200, 90),
        (240, 140, 170),
        (130, 200, 150),
        (180, 150, 230),
        (250, 250, 250),
    ]
    for i, x in enumerate(range(170, 1500, 200)):
        _plush(draw, x, 900, plush_colours[i % len(plush_colours)], rng.uniform(58, 74))
    for x in range(650, 1500, 400):
        draw.rounded_rectangle((x, 920, x + 90, 960), radius=6, fill=(255, 255, 255))
        draw.text((x + 45, 940), "$", font=font(28), fill=INK, anchor="mm")
    label(image, "CNCF Store", "T-shirts, masks, plush toys")
    return image


def group(rng: random.Random) -> Image.Image:
    image = gradient(
        SIZE,
        [
            (0, (182, 206, 232)),
            (0.62, (214, 226, 240)),
            (0.62, (160, 160, 168)),
            (1, (120, 120, 130)),
        ],
    )
    draw = ImageDraw.Draw(image, "RGBA")
    for x in range(0, WIDTH, 200):
        draw.rectangle((x, 0, x + 8, 620), fill=(120, 140, 170, 120))
    draw.rounded_rectangle((420, 60, 1180, 170), radius=18, fill=(28, 40, 80))
    draw.text(
        (800, 115), "KubeCon + CloudNativeCon NA 2022", font=font(40), fill=WHITE, anchor="mm"
    )
    glow(image, (800, 640), 700, (255, 255, 255), 0.35)
    draw = ImageDraw.Draw(image, "RGBA")
    shirts = [
        (50, 108, 229),
        (232, 93, 117),
        (40, 150, 110),
        (60, 60, 72),
        (238, 160, 36),
        (120, 90, 210),
        (20, 150, 160),
    ]
    skins = [(241, 204, 170), (226, 184, 150), (236, 196, 160), (214, 170, 136)]
    hairs = [(36, 28, 24), (58, 40, 30), (24, 22, 26), (80, 56, 40)]
    for i in range(7):
        cx = 230 + i * 190
        height = rng.uniform(-30, 30)
        head_y = 430 + height
        draw.ellipse((cx - 120, 955, cx + 120, 995), fill=(0, 0, 0, 50))
        draw.rounded_rectangle((cx - 82, head_y + 70, cx + 82, 980), radius=60, fill=shirts[i])
        draw.rounded_rectangle(
            (cx - 30, head_y + 60, cx + 30, head_y + 90), radius=10, fill=skins[i % len(skins)]
        )
        draw.ellipse((cx - 54, head_y - 56, cx + 54, head_y + 62), fill=skins[i % len(skins)])
        hair = hairs[i % len(hairs)]
        if i % 3 == 1:
            draw.rounded_rectangle(
                (cx - 60, head_y - 62, cx + 60, head_y + 70), radius=50, fill=hair
            )
            draw.ellipse((cx - 46, head_y - 36, cx + 46, head_y + 62), fill=skins[i % len(skins)])
        else:
            draw.chord((cx - 56, head_y - 62, cx + 56, head_y + 30), 180, 360, fill=hair)
        for ex in (cx - 19, cx + 19):
            draw.ellipse((ex - 5, head_y - 2, ex + 5, head_y + 8), fill=(40, 30, 30))
        draw.arc((cx - 18, head_y + 12, cx + 18, head_y + 38), 20, 160, fill=(120, 60, 60), width=4)
        draw.line((cx - 30, head_y + 84, cx, head_y + 210), fill=(30, 30, 40), width=5)
        draw.line((cx + 30, head_y + 84, cx, head_y + 210), fill=(30, 30, 40), width=5)
        draw.rounded_rectangle(
            (cx - 34, head_y + 206, cx + 34, head_y + 296), radius=8, fill=(250, 250, 252)
        )
        draw.rectangle((cx - 34, head_y + 206, cx + 34, head_y + 230), fill=(50, 108, 229))
    label(image, "Team photo", "7 first-time attendees")
    return image


PICTURES: dict[str, Callable[[random.Random], Image.Image]] = {
    "badges": badges,
    "istio-sidecar": istio_sidecar,
    "istio-ambient": istio_ambient,
    "feature-flow": feature_flow,
    "feature-questions": feature_questions,
    "falco-sources": falco_sources,
    "ha-migration": ha_migration,
    "logs-waiting": logs_waiting,
    "logs-output": logs_output,
    "river": river,
    "lunch": lunch,
    "keynote": keynote,
    "venue": venue,
    "store": store,
    "group": group,
}


def render(key: str) -> Image.Image:
    """The picture `key`, always the same for the same key."""
    return PICTURES[key](random.Random(zlib.crc32(key.encode())))


def jpeg(key: str, quality: int = 88) -> bytes:
    """The picture `key` as JPEG bytes."""
    buffer = io.BytesIO()
    render(key).convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
