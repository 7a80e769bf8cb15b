"""Thumbnails of documents: a PDF's first page or an image, as a PNG made on the server.

Never by running the file in the browser: the browser gets a small PNG that Pillow wrote.
Made on first request (of the case page, which shows an image only for a thumbnail that
exists, or of the thumbnail itself) and kept beside the documents (documents.preview_path); a
document of another type has no thumbnail, and one that cannot be read (broken, too big to
unpack safely) has none either: `preview` returns None, the page shows no image and the route
answers 404, never 500. That answer is remembered (an empty `.none` file beside), so a
broken file is not tried again on every page view.
"""
from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from tracker.cases.documents import preview_path, stored_path
from tracker.cases.models import Attachment
from tracker.files import write_atomically

log = logging.getLogger(__name__)

PREVIEWABLE = frozenset({"application/pdf", "image/jpeg", "image/png"})
BOX = (480, 480)  # the thumbnail fits in this many pixels
# Decompression bombs: an image may not claim more pixels than this.
MAX_IMAGE_PIXELS = 50_000_000
# A PDF page larger than this many square points (about 4 A0 sheets) is not drawn.
MAX_PAGE_AREA = 4 * 2384 * 3370


def previewable(attachment: Attachment) -> bool:
    return attachment.content_type in PREVIEWABLE


def no_preview_marker(attachment: Attachment) -> Path:
    return preview_path(attachment).with_suffix(".none")


def has_preview(attachment: Attachment) -> bool:
    """Whether the case page shows a thumbnail (made now if it is not kept yet)."""
    return attachment.removed_at is None and preview(attachment) is not None


def preview(attachment: Attachment) -> Path | None:
    """The thumbnail's path, made now if it is not kept yet; None when there is none."""
    if not previewable(attachment):
        return None
    path = preview_path(attachment)
    if path.exists():
        return path
    refused = no_preview_marker(attachment)
    if refused.exists():
        return None
    source = stored_path(attachment)
    try:
        image = _pdf_page(source) if attachment.content_type == "application/pdf" \
            else _image(source)
        image.thumbnail(BOX)
        body = io.BytesIO()
        image.save(body, format="PNG", optimize=True)
    except Exception as error:  # a broken or hostile file: no thumbnail, and say why in the log
        log.warning("no preview for document %s: %s: %s", attachment.id,
                    type(error).__name__, error)
        if source.exists():  # the file itself is there, and cannot be drawn
            refused.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(refused, b"")
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, body.getvalue())
    return path


def _image(source: Path) -> Image.Image:
    # Opening reads the header only (Pillow refuses a claim of twice its own limit there);
    # the size is checked before a pixel is decoded. No global setting is changed, so
    # threads serving other requests are not affected.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValueError(f"{image.width} x {image.height} pixels refused")
            image.draft("RGB", BOX)  # JPEG: decode at a reduced size
            image.load()
            image = ImageOps.exif_transpose(image)
            return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _pdf_page(source: Path) -> Image.Image:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(source)
    try:
        if len(pdf) < 1:
            raise ValueError("the PDF has no page")
        page = pdf[0]
        width, height = page.get_size()
        if width <= 0 or height <= 0 or width * height > MAX_PAGE_AREA:
            raise ValueError(f"page size {width:.0f} x {height:.0f} points refused")
        scale = min(BOX[0] / width, BOX[1] / height) * 2  # drawn at twice, then reduced
        image = page.render(scale=scale).to_pil()
        page.close()
        return image.convert("RGB")
    finally:
        pdf.close()
