"""Reading a designer's files defensively: an upload (one .zip, or several .bpmn/.json files), or the files the
editor sends, into a model bundle under the bundle's own rules.

A zip is hostile until read: its entry count and each entry's real size are bounded while reading (the sizes it
declares are never trusted), names with paths, drive letters, ``..``, more than one folder level or symlink bits are
refused, and every file then meets the bundle's own rules (type, size, UTF-8). The XML itself is parsed later by
``engine.xmlsafe`` (no DTD, no entities), when the model is validated."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import PurePosixPath

from engine.bundle import MAX_FILE_BYTES, MAX_FILES, MAX_MODEL_BYTES, MODEL_SUFFIXES, ModelBundle, accept_file
from engine.errors import FieldError, InvalidData, Problem

ZIP_SUFFIX = ".zip"
IGNORED_ZIP_PREFIXES = ("__MACOSX/",)  # resource forks macOS adds to every zip it makes
_CHUNK = 64 * 1024


class UploadRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_uploads(uploads: list[tuple[str, bytes]]) -> tuple[dict[str, str], list[Problem]]:
    """The model files in ``uploads`` and every reason some were refused. With any problem, the caller should
    keep nothing: a half-read model is worse than none."""
    if not uploads:
        return {}, [Problem("(subida)", None, None, "no se recibió ningún archivo")]
    zips = [name for name, _ in uploads if name.lower().endswith(ZIP_SUFFIX)]
    if zips and len(uploads) > 1:
        return {}, [Problem(zips[0], None, None, "suba un solo .zip, o varios archivos .bpmn y .json; no ambos")]
    if len(uploads) > MAX_FILES:
        return {}, [Problem("(subida)", None, None, f"demasiados archivos ({len(uploads)} > {MAX_FILES})")]
    try:
        entries = _zip_entries(*uploads[0]) if zips else uploads
    except UploadRefused as refused:
        return {}, [refused.problem]
    files: dict[str, str] = {}
    problems: list[Problem] = []
    total = 0
    for name, data in entries:
        problem = _accept(name, data, files)
        if problem is not None:
            problems.append(problem)
        total += len(data)
    if total > MAX_MODEL_BYTES:
        problems.append(Problem("(subida)", None, None, f"el modelo supera {MAX_MODEL_BYTES} bytes"))
    if not problems and not any(name.endswith(".bpmn") for name in files):
        problems.append(Problem("(subida)", None, None, "la subida no contiene ningún archivo .bpmn"))
    return files, problems


def _accept(name: str, data: bytes, files: dict[str, str]) -> Problem | None:
    if "/" in name or "\\" in name or name.startswith("."):
        return Problem(name, None, None, "nombre de archivo no permitido")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        return Problem(name, None, None, f"tipo de archivo no permitido ({suffix or 'sin extensión'}); "
                                         "se aceptan .bpmn y .json")
    if name in files:
        return Problem(name, None, None, "el archivo está repetido en la subida")
    return accept_file(name, data, files)


def _zip_entries(filename: str, data: bytes) -> list[tuple[str, bytes]]:
    if len(data) > MAX_MODEL_BYTES:
        raise UploadRefused(Problem(filename, None, None, f"el archivo supera {MAX_MODEL_BYTES} bytes"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise UploadRefused(Problem(filename, None, None, f"el .zip no se puede leer: {exc}")) from exc
    infos = [i for i in infos if not i.filename.startswith(IGNORED_ZIP_PREFIXES)]
    if len(infos) > MAX_FILES + 1:  # one folder entry besides the files
        raise UploadRefused(Problem(filename, None, None, f"el .zip tiene demasiadas entradas "
                                                          f"({len(infos)} > {MAX_FILES})"))
    folders = set()
    entries: list[tuple[str, bytes]] = []
    budget = MAX_MODEL_BYTES
    with archive:
        for info in infos:
            name = _entry_name(info)
            if name is None:
                continue
            folder, _, base = name.rpartition("/")
            folders.add(folder)
            if len(folders) > 1:
                raise UploadRefused(Problem(filename, None, None,
                                            "las entradas del .zip deben estar todas en la raíz o en una sola "
                                            "carpeta"))
            content = _bounded_read(filename, archive, info, min(MAX_FILE_BYTES, budget))
            budget -= len(content)
            entries.append((base, content))
    return entries


def _entry_name(info: zipfile.ZipInfo) -> str | None:
    """The entry's path if it is a plain file at most one folder deep; None for the folder entry itself."""
    raw = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UploadRefused(Problem(raw, None, None, "no se aceptan enlaces simbólicos"))
    if info.flag_bits & 0x1:
        raise UploadRefused(Problem(raw, None, None, "no se aceptan entradas cifradas"))
    parts = raw.split("/")
    if (raw.startswith(("/", "\\")) or "\\" in raw or ":" in raw or "\x00" in raw
            or any(part in ("..", ".") for part in parts)):
        raise UploadRefused(Problem(raw, None, None, "ruta no permitida dentro del .zip"))
    if info.is_dir():
        if len([p for p in parts if p]) > 1:
            raise UploadRefused(Problem(raw, None, None, "el .zip solo puede tener una carpeta, sin subcarpetas"))
        return None
    if len(parts) > 2 or not parts[-1]:
        raise UploadRefused(Problem(raw, None, None, "el .zip solo puede tener una carpeta, sin subcarpetas"))
    if len(parts) == 2 and (not parts[0] or parts[0].startswith(".")):
        raise UploadRefused(Problem(raw, None, None, "ruta no permitida dentro del .zip"))
    return raw


def _bounded_read(filename: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """At most ``limit`` bytes of the entry, whatever its header claims: a bomb is stopped after ``limit + 1``."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while size <= limit:
                chunk = stream.read(min(_CHUNK, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise UploadRefused(Problem(info.filename, None, None, f"la entrada no se puede leer: {exc}")) from exc
    if size > limit:
        what = "el archivo" if limit == MAX_FILE_BYTES else "el modelo"
        bound = MAX_FILE_BYTES if limit == MAX_FILE_BYTES else MAX_MODEL_BYTES
        raise UploadRefused(Problem(info.filename, None, None, f"{what} supera {bound} bytes al descomprimirlo "
                                                               f"(en {filename})"))
    return b"".join(chunks)


def bundle_of(model: str, files: dict[str, str]) -> tuple[ModelBundle, list[Problem]]:
    """The bundle deploy would read from a folder holding these files, with the problems deploy would report."""
    accepted: dict[str, str] = {}
    problems: list[Problem] = []
    if len(files) > MAX_FILES:
        problems.append(Problem(model, None, None, f"demasiados archivos ({len(files)} > {MAX_FILES})"))
    total = 0
    for name in sorted(files)[:MAX_FILES]:
        text = files[name]
        try:
            data = text.encode("utf-8") if isinstance(text, str) else None
        except UnicodeEncodeError:
            data = None
        if data is None:
            problems.append(Problem(str(name), None, None, "el contenido del archivo no es texto UTF-8"))
            continue
        problem = accept_file(str(name), data, accepted)
        if problem is not None:
            problems.append(problem)
        total += len(data)
    if total > MAX_MODEL_BYTES:
        problems.append(Problem(model, None, None, f"el modelo supera {MAX_MODEL_BYTES} bytes"))
    if not any(name.endswith(".bpmn") for name in accepted):
        problems.append(Problem(model, None, None, "el modelo no contiene ningún archivo .bpmn"))
    return ModelBundle(model, accepted), problems


def refuse_oversized(files: dict[str, str]) -> None:
    """A draft may be invalid, but not unbounded: it is stored."""
    size = sum(len(str(k)) + len(v) if isinstance(v, str) else 0 for k, v in files.items())
    if len(files) > MAX_FILES or size > MAX_MODEL_BYTES:
        raise InvalidData([FieldError("archivos", f"el modelo admite hasta {MAX_FILES} archivos y "
                                                  f"{MAX_MODEL_BYTES} bytes")])
