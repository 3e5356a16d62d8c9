"""Abstract illustrations for the demo courses, drawn with Pillow: soft light on calm
colours. No people, no graphic or clichéd imagery (chains, handcuffs)."""

import io
import random

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter
from wagtail.images import get_image_model

PALETTES = [
    ((29, 53, 87), (241, 196, 83)),
    ((38, 70, 83), (233, 196, 106)),
    ((61, 64, 91), (242, 204, 143)),
]


def _draw(seed, size=(1200, 675)):
    background, light = PALETTES[seed % len(PALETTES)]
    rng = random.Random(seed)  # noqa: S311 (pictures, not secrets)
    image = PILImage.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        radius = rng.randint(40, 220)
        x, y = rng.randint(0, size[0]), rng.randint(0, size[1])
        mix = rng.uniform(0.15, 0.6)
        shade = tuple(int(b + (c - b) * mix) for b, c in zip(background, light, strict=True))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=shade)
    image = image.filter(ImageFilter.GaussianBlur(36))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer


def course_image(title, seed):
    """The course's illustration, created once and reused on later loads."""
    Image = get_image_model()
    image_title = f"Illustration: {title}"
    existing = Image.objects.filter(title=image_title).first()
    if existing:
        return existing
    image = Image(
        title=image_title,
        description="Abstract illustration: soft circles of warm light on a calm background.",
        file=ImageFile(_draw(seed), name=f"course-{seed}.png"),
    )
    image.save()
    return image
