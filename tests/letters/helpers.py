"""What the letter tests share: a DOCX read back as text, an upload posted by an admin."""
from __future__ import annotations

import io

from docx import Document


def docx_text(content: bytes) -> str:
    """Every paragraph of a Word document, one per line (python-docx reads it back)."""
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def upload(admin, content: bytes, *, name: str = "Note verbale", category: str = "any",
           language: str = "en", filename: str = "note.docx"):
    """The administrator's upload form, posted."""
    return admin.post("/admin/letter-templates/upload",
                      data={"name": name, "category": category, "language": language,
                            "file": (io.BytesIO(content), filename)},
                      content_type="multipart/form-data")
