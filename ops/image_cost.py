"""What an uploaded image costs: `python -m ops.image_cost` (also part of `make abuse-check`).

Each case is a file made here (the hostile ones from the security review among them),
processed by `submissions.images.process_image` in a fresh Python process of its own, so
that the CPU time (user + system, from getrusage) and the growth of the process's peak
resident memory (VmHWM, reset through /proc/self/clear_refs just before, over the
resident size then) are the image's alone.
The budget for any upload of at most 5 MB: 0.5 s of CPU and 100 MB. Prints a table and
exits non-zero when a case is over it (or stores what it should refuse).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CPU_BUDGET = 0.5  # seconds
MEMORY_BUDGET = 100  # MB

MEASURE = r"""
import json, os, resource, sys, time
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from submissions import images

from django.utils import translation
translation.activate("en")
data = open(sys.argv[1], "rb").read()
def status_kb(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
before_rss = status_kb("VmRSS")
with open("/proc/self/clear_refs", "w") as refs:  # the peak (VmHWM) starts again from here
    refs.write("5")
usage = resource.getrusage(resource.RUSAGE_SELF)
before_cpu = usage.ru_utime + usage.ru_stime
try:
    stored = images.process_image(SimpleUploadedFile("upload", data))
    raw = stored.read()
    from PIL import Image
    with Image.open(__import__("io").BytesIO(raw)) as out:
        shape = f"{out.format} {out.size[0]}×{out.size[1]}"
    markers = (b"ICC_PROFILE", b"Exif", b"kotolupaus-secret", b"tEXt", b"iCCP")
    result = {"stored": shape, "metadata": [m.decode() for m in markers if m in raw]}
except ValidationError as error:
    result = {"refused": error.messages[0]}
usage = resource.getrusage(resource.RUSAGE_SELF)
result["cpu"] = usage.ru_utime + usage.ru_stime - before_cpu
result["peak_mb"] = max(0, status_kb("VmHWM") - before_rss) / 1024
print("RESULT " + json.dumps(result))
"""


def cases() -> list[tuple[str, bytes, str]]:
    """(name, file, what should happen: "refused" or "stored")."""
    from PIL import Image, ImageCms

    def saved(image, image_format, **options):
        buffer = io.BytesIO()
        image.save(buffer, format=image_format, **options)
        return buffer.getvalue()

    def photo(width, height):
        """Photo-like pixels: smooth gradients with noise (JPEG cannot squeeze them away)."""
        noise = Image.effect_noise((width, height), 40).convert("RGB")
        gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        return Image.blend(noise, gradient, 0.5)

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return [
        (
            "PNG 6300×6300, one colour (the review's)",
            saved(Image.new("RGB", (6300, 6300), (0, 90, 160)), "PNG"),
            "refused",
        ),
        (
            "PNG 8000×5000 (40 megapixels)",
            saved(Image.new("RGB", (8000, 5000), "white"), "PNG"),
            "refused",
        ),
        (
            "PNG 4000×4000 RGBA (16 MP)",
            saved(Image.new("RGBA", (4000, 4000), (0, 90, 160, 128)), "PNG"),
            "refused",
        ),
        (
            "PNG 4000×3000 RGBA, one colour (the largest taken)",
            saved(Image.new("RGBA", (4000, 3000), (0, 90, 160, 128)), "PNG"),
            "stored",
        ),
        (
            "PNG 4000×3000 palette, one colour",
            saved(Image.new("P", (4000, 3000), 3), "PNG"),
            "stored",
        ),
        ("GIF 4000×3000", saved(Image.new("P", (4000, 3000), 7), "GIF"), "stored"),
        (
            "WebP 2500×2000, one colour (the largest taken)",
            saved(Image.new("RGB", (2500, 2000), "teal"), "WEBP", lossless=True),
            "stored",
        ),
        (
            "WebP 4000×4000",
            saved(Image.new("RGB", (4000, 4000), "teal"), "WEBP", lossless=True),
            "refused",
        ),
        (
            "JPEG 6000×4000 baseline, one colour",
            saved(Image.new("RGB", (6000, 4000), "teal"), "JPEG"),
            "stored",
        ),
        (
            "JPEG 4000×3000 photo, 12 MP",
            saved(photo(4000, 3000), "JPEG", quality=80),
            "stored",
        ),
        (
            "JPEG 4300×3000 progressive 4:2:0 (12.9 MP, the largest taken)",
            saved(Image.new("RGB", (4300, 3000), "teal"), "JPEG", progressive=True),
            "stored",
        ),
        (
            "JPEG 6000×4000 progressive 4:4:4",
            saved(Image.new("RGB", (6000, 4000), "teal"), "JPEG", progressive=True, subsampling=0),
            "refused",
        ),
        (
            "JPEG with a 4 MB ICC profile",
            saved(
                Image.new("RGB", (1200, 800), "teal"),
                "JPEG",
                icc_profile=srgb + os.urandom(4 * 1024 * 1024 - len(srgb)),
            ),
            "stored",
        ),
        (
            "JPEG with a comment marker",
            saved(Image.new("RGB", (800, 600), "teal"), "JPEG", comment=b"kotolupaus-secret"),
            "stored",
        ),
    ]


def measure(path: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kotolupaus.settings_test",
        "KOTOLUPAUS_ENV": "test",
        # No connection is made: process_image needs no database.
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://kotolupaus@127.0.0.1/none"),
    }
    run = subprocess.run(  # noqa: S603 - this Python
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        return {"error": run.stderr.strip().splitlines()[-1] if run.stderr else "no result"}
    return json.loads(line[len("RESULT ") :])


def run() -> list[dict]:
    """Every case measured: a list of rows with `ok` set."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="image-cost-") as folder:
        for name, content, expected in cases():
            path = Path(folder) / "upload"
            path.write_bytes(content)
            found = measure(path)
            outcome = "refused" if "refused" in found else "stored" if "stored" in found else "?"
            within = found.get("cpu", 99) <= CPU_BUDGET and found.get("peak_mb", 999) <= (
                MEMORY_BUDGET
            )
            ok = outcome == expected and within and not found.get("metadata")
            rows.append({"case": name, "bytes": len(content), "ok": ok, **found})
    return rows


def table(rows) -> str:
    lines = [
        f"{'case':52} | {'file':>8} | {'CPU s':>5} | {'peak MB':>7} | result",
        f"{'-' * 52}-+-{'-' * 8}-+-{'-' * 5}-+-{'-' * 7}-+-{'-' * 30}",
    ]
    for row in rows:
        result = (
            f"refused: {row['refused']}"
            if "refused" in row
            else f"stored {row['stored']}"
            + (f", metadata kept: {', '.join(row['metadata'])}" if row.get("metadata") else "")
            if "stored" in row
            else row.get("error", "?")
        )
        lines.append(
            f"{row['case']:52} | {row['bytes'] / 1024:7.0f}K | {row.get('cpu', 0):5.2f} | "
            f"{row.get('peak_mb', 0):7.1f} | {'' if row['ok'] else 'NOT OK: '}{result}"
        )
    return "\n".join(lines)


def main() -> int:
    rows = run()
    print(f"Image cost (budget: {CPU_BUDGET} s CPU, {MEMORY_BUDGET} MB per upload of at most 5 MB)")
    print(table(rows))
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
