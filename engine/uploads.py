"""What an uploaded file must be to be kept: small, of an allowed type by its name AND by its first bytes.

The content type stored (and later served) comes from this list, never from what the browser claimed.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import PurePosixPath

from engine.errors import FieldError, InvalidData

FIELD = "archivo"
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_FILENAME = 200
OCTET_STREAM = "application/octet-stream"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES: dict[str, str] = {
    ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".txt": "text/plain", ".csv": "text/csv", ".xlsx": XLSX, ".docx": DOCX,
}
SAFE_CONTENT_TYPES = frozenset(ALLOWED_TYPES.values())
ALLOWED_LABEL = "PDF, PNG, JPEG, TXT, CSV, XLSX o DOCX"
_TEXT_CONTROLS_OK = {"\t", "\n", "\r", "\f"}


def _refuse(message: str, field: str = FIELD) -> InvalidData:
    return InvalidData([FieldError(field, message)], "El archivo no se aceptó.")


def clean_filename(name: str | None) -> str:
    """The file's own name: no folders, no control characters, at most 200 characters (extension kept)."""
    base = (name or "").replace("\\", "/").split("/")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if not unicodedata.category(ch).startswith("C"))
    base = base.strip().lstrip(".").strip()
    if len(base) > MAX_FILENAME:
        suffix = PurePosixPath(base).suffix[:20]
        base = base[: MAX_FILENAME - len(suffix)] + suffix
    return base


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS_OK for ch in text)
    return False


def _ooxml_holds(data: bytes, part: str) -> bool:
    """An Office Open XML package (a zip) with the given main part; only the zip's directory is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and part in names


def content_matches(extension: str, data: bytes) -> bool:
    """Whether the first bytes are those of the type the extension names."""
    if extension == ".pdf":
        return data.startswith(b"%PDF-")
    if extension == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if extension in (".txt", ".csv"):
        return _looks_like_text(data)
    if extension == ".xlsx":
        return data.startswith(b"PK\x03\x04") and _ooxml_holds(data, "xl/workbook.xml")
    if extension == ".docx":
        return data.startswith(b"PK\x03\x04") and _ooxml_holds(data, "word/document.xml")
    return False


def check_upload(filename: str | None, data: bytes, field: str = FIELD) -> tuple[str, str]:
    """(clean filename, content type to store), or InvalidData naming ``field`` with the reason in Spanish."""
    name = clean_filename(filename)
    if not name:
        raise _refuse("Elija un archivo.", field)
    if not data:
        raise _refuse("El archivo está vacío.", field)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise _refuse("El archivo supera el tamaño máximo de 5 MiB.", field)
    extension = PurePosixPath(name.lower()).suffix
    content_type = ALLOWED_TYPES.get(extension)
    if content_type is None:
        raise _refuse(f"Tipo de archivo no permitido; se aceptan {ALLOWED_LABEL}.", field)
    if not content_matches(extension, data):
        raise _refuse(f"El contenido del archivo no corresponde a su extensión «{extension}».", field)
    return name, content_type


def served_content_type(stored: str) -> str:
    """What a download is served as: the stored type when it is one of the allowed ones, else a plain download."""
    return stored if stored in SAFE_CONTENT_TYPES else OCTET_STREAM
