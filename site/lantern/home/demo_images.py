"""Abstract illustrations for the demo courses: calm geometric SVG artwork in fixtures/images/,
one per course. No people, no faces, no graphic or clichéd imagery (chains, handcuffs).

They are loaded as Wagtail images, so editors can replace them like any other; uploads in the
admin stay raster-only (SVG is not in WAGTAILIMAGES_EXTENSIONS), only these files are SVG.
Templates render them with `preserve-svg`, which skips the raster-only operations for SVGs."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from wagtail.images import get_image_model

IMAGES_DIR = Path(settings.BASE_DIR) / "fixtures" / "images"
DESCRIPTION = "Abstract illustration: soft geometric shapes in calm colours."


def course_image(title, filename):
    """The course's illustration from fixtures/images/<filename>: created once, replaced
    only when the file has changed (or an older raster illustration is still in place)."""
    Image = get_image_model()
    content = (IMAGES_DIR / filename).read_bytes()
    file_hash = hashlib.sha1(content).hexdigest()  # noqa: S324 (Wagtail's own file hash)
    image_title = f"Illustration: {title}"
    image = Image.objects.filter(title=image_title).first()
    if image is not None and image.file_hash == file_hash:
        return image
    if image is None:
        image = Image(title=image_title)
    else:
        image.renditions.all().delete()
        image.file.delete(save=False)
    image.description = DESCRIPTION
    image.file = ContentFile(content, name=filename)
    image.save()
    return image
