"""A model is a folder: BPMN files plus their JSON-schema forms. This module reads one, defensively.

A folder named ``_compartido`` beside model folders holds parts they all share (a called process, common forms):
its files are read into each of those models, so a deployed version is whole by itself and a change to a shared
part deploys a new version of every model that uses it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from engine.errors import Problem

MAX_FILE_BYTES = 1 * 1024 * 1024
MAX_MODEL_BYTES = 5 * 1024 * 1024
MAX_FILES = 60
MODEL_SUFFIXES = {".bpmn", ".json"}
IGNORED_SUFFIXES = {".md", ".txt"}


@dataclass(frozen=True)
class ModelBundle:
    name: str
    files: dict[str, str]

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.files, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(canonical).hexdigest()

    @property
    def bpmn_files(self) -> list[str]:
        return sorted(name for name in self.files if name.endswith(".bpmn"))


SHARED_FOLDER = "_compartido"  # parts (BPMN, forms) every model beside it includes; not a model itself


def discover_models(root: Path) -> list[Path]:
    """Every folder under ``root`` that holds at least one .bpmn file, in a stable order. Folders whose name
    starts with ``_`` hold shared parts, not models."""
    if root.is_file():
        return [root.parent]
    return sorted({p.parent for p in root.rglob("*.bpmn")
                   if not p.is_symlink() and not any(part.startswith("_") for part in p.relative_to(root).parts)})


def model_folders(paths: list[Path]) -> list[Path]:
    """Turn the paths a user gave (model folders, trees of models, or single files) into model folders."""
    folders: list[Path] = []
    for path in paths:
        for folder in discover_models(path) if path.is_dir() else [path.parent]:
            if folder not in folders:
                folders.append(folder)
    return folders


def read_bundle(folder: Path, name: str | None = None) -> tuple[ModelBundle, list[Problem]]:
    problems: list[Problem] = []
    files: dict[str, str] = {}
    total = 0
    entries = sorted(p for p in folder.iterdir() if p.is_file() or p.is_symlink())
    shared = folder.parent / SHARED_FOLDER
    if shared.is_dir() and shared != folder:
        own = {p.name for p in entries}
        for path in sorted(p for p in shared.iterdir() if p.is_file() or p.is_symlink()):
            if path.name in own:
                problems.append(Problem(path.name, None, None,
                                        f"el archivo también existe en {SHARED_FOLDER}; cambie uno de los nombres"))
            else:
                entries.append(path)
    if len(entries) > MAX_FILES:
        problems.append(Problem(folder.name, None, None, f"demasiados archivos ({len(entries)} > {MAX_FILES})"))
        entries = entries[:MAX_FILES]
    for path in entries:
        problem = _read_one(path, files)
        if problem:
            problems.append(problem)
        else:
            total += len(files.get(path.name, "").encode("utf-8"))
    if total > MAX_MODEL_BYTES:
        problems.append(Problem(folder.name, None, None, f"el modelo supera {MAX_MODEL_BYTES} bytes"))
    if not any(n.endswith(".bpmn") for n in files):
        problems.append(Problem(folder.name, None, None, "la carpeta no contiene ningún archivo .bpmn"))
    return ModelBundle(name or folder.name, files), problems


def _read_one(path: Path, files: dict[str, str]) -> Problem | None:
    if path.is_symlink():
        return Problem(path.name, None, None, "no se aceptan enlaces simbólicos")
    if path.suffix in IGNORED_SUFFIXES:
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return Problem(path.name, None, None, f"el archivo supera {MAX_FILE_BYTES} bytes ({size})")
    return accept_file(path.name, path.read_bytes(), files)


def accept_file(filename: str, data: bytes, files: dict[str, str]) -> Problem | None:
    """The rules every model file meets, wherever it comes from (a folder, the designer, an upload)."""
    if "/" in filename or "\\" in filename or filename.startswith("."):
        return Problem(filename, None, None, "nombre de archivo no permitido")
    suffix = Path(filename).suffix
    if suffix in IGNORED_SUFFIXES:
        return None
    if suffix not in MODEL_SUFFIXES:
        return Problem(filename, None, None, f"tipo de archivo no permitido ({suffix or 'sin extensión'}); "
                                             "se aceptan .bpmn y .json")
    if len(data) > MAX_FILE_BYTES:
        return Problem(filename, None, None, f"el archivo supera {MAX_FILE_BYTES} bytes ({len(data)})")
    try:
        files[filename] = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(filename, None, None, f"el archivo no está en UTF-8 (byte {exc.start})")
    return None
