"""Time the photo pipeline on one 4000x3000 JPEG: validate, orient, strip, all renditions.

    .venv/bin/python bench/photo_pipeline.py [--runs N]

Each run is what an upload costs: `images.prepare()` (full decode, EXIF orientation,
metadata stripped, the original re-encoded, every rendition in WebP and JPEG) plus
writing the files with `images.store_renditions()` to a temporary folder. The photo is
drawn here (smooth shading with grain, like a real photo, not a flat colour that
compresses in no time) and carries EXIF with an orientation and a GPS position, so
the orientation and stripping work is included. The goal is a median under one second.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django
from django.conf import settings

# Run as a script, this folder is on the path and the project is not.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

WIDTH, HEIGHT = 4000, 3000
GOAL_SECONDS = 1.0


def photo_like_jpeg() -> bytes:
    from PIL import Image

    grain = Image.effect_noise((WIDTH, HEIGHT), 25)
    blotches = Image.effect_noise((WIDTH // 4, HEIGHT // 4), 60).resize(
        (WIDTH, HEIGHT), Image.Resampling.BICUBIC
    )
    across = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    down = Image.linear_gradient("L").rotate(90).resize((WIDTH, HEIGHT))
    blue = Image.blend(blotches, grain, 0.35)
    image = Image.merge(
        "RGB", (Image.blend(across, blue, 0.5), Image.blend(down, blotches, 0.4), blue)
    )
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the camera turned: the pipeline must rotate it
    exif[0x8825] = {1: "N", 2: (42.0, 19.0, 48.0), 3: "W", 4: (83.0, 2.0, 45.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    sys.path.insert(0, str(PROJECT_ROOT))

    with tempfile.TemporaryDirectory(prefix="photo-bench-") as media_root:
        settings.configure(MEDIA_ROOT=media_root, MEDIA_URL="/media/", USE_I18N=False)
        django.setup()
        from django.core.files.base import ContentFile
        from django.core.files.storage import FileSystemStorage

        from blog import images

        storage = FileSystemStorage(location=media_root)
        source = photo_like_jpeg()
        print(f"source: {WIDTH}x{HEIGHT} JPEG, {len(source) / 1_000_000:.1f} MB, {runs} runs")
        # Other work on the machine slows every run; say how busy it was.
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

        timings = []
        for run in range(runs):
            upload = ContentFile(source, name="camera.jpg")
            started = time.perf_counter()
            prepared = images.prepare(upload)
            original = storage.save(
                f"photos/originals/bench-{run}.jpg", ContentFile(prepared.original)
            )
            renditions = images.store_renditions(storage, original, prepared)
            timings.append(time.perf_counter() - started)

        made = ", ".join(f"{r.format} {r.width}x{r.height}" for r in renditions)
        print(f"stored: original {prepared.width}x{prepared.height}; renditions: {made}")
        median = statistics.median(timings)
        print(
            f"median {median * 1000:.0f} ms, min {min(timings) * 1000:.0f} ms, "
            f"max {max(timings) * 1000:.0f} ms"
        )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        verdict = "meets" if median < GOAL_SECONDS else "MISSES"
        print(f"{verdict} the goal of a median under {GOAL_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
