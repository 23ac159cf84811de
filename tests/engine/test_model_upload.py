"""A designer's upload is hostile until read: zip bombs, paths, symlinks and foreign files are refused, named."""

from __future__ import annotations

import io
import stat
import struct
import zipfile

from engine.bundle import MAX_FILE_BYTES, MAX_FILES
from engine.model_upload import read_uploads
from tests.conftest import BENCH_MODELS

SIMPLE = {p.name: p.read_bytes() for p in (BENCH_MODELS / "simple").iterdir()}


def _zip(entries: dict[str, bytes], modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (modes or {}).get(name, 0o100644) << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _messages(uploads: list[tuple[str, bytes]]) -> list[str]:
    files, problems = read_uploads(uploads)
    assert problems, files
    return [f"{p.file}: {p.message}" for p in problems]


def test_a_flat_zip_gives_its_files() -> None:
    files, problems = read_uploads([("simple.zip", _zip(SIMPLE))])
    assert problems == []
    assert files == {name: data.decode() for name, data in SIMPLE.items()}


def test_a_zip_with_one_folder_gives_its_files() -> None:
    files, problems = read_uploads([("simple.zip", _zip({f"simple/{n}": d for n, d in SIMPLE.items()}))])
    assert problems == []
    assert sorted(files) == sorted(SIMPLE)


def test_several_plain_files_are_a_model() -> None:
    files, problems = read_uploads(list(SIMPLE.items()))
    assert problems == []
    assert sorted(files) == sorted(SIMPLE)


def test_paths_that_climb_or_start_at_the_root_are_refused() -> None:
    for name in ("../simple.bpmn", "/etc/simple.bpmn", "a/../../simple.bpmn", "C:/simple.bpmn", "a\\simple.bpmn"):
        assert any("ruta no permitida" in m for m in _messages([("m.zip", _zip({name: SIMPLE["simple.bpmn"]}))]))


def test_folders_deeper_than_one_level_or_two_folders_are_refused() -> None:
    nested = _zip({"a/b/simple.bpmn": SIMPLE["simple.bpmn"]})
    assert any("sin subcarpetas" in m for m in _messages([("m.zip", nested)]))
    two = _zip({"a/simple.bpmn": SIMPLE["simple.bpmn"], "b/primera.schema.json": SIMPLE["primera.schema.json"]})
    assert any("una sola carpeta" in m for m in _messages([("m.zip", two)]))


def test_symlink_entries_are_refused() -> None:
    archive = _zip({"simple.bpmn": b"/etc/passwd"}, {"simple.bpmn": stat.S_IFLNK | 0o777})
    assert any("enlaces simbólicos" in m for m in _messages([("m.zip", archive)]))


def test_other_file_types_are_refused_by_name() -> None:
    messages = _messages([("m.zip", _zip({**SIMPLE, "script.py": b"print(1)", "dentro.zip": b"PK"}))])
    assert any(m.startswith("script.py: tipo de archivo no permitido (.py)") for m in messages)
    assert any(m.startswith("dentro.zip: tipo de archivo no permitido (.zip)") for m in messages)
    assert any(m.startswith("notas.txt: tipo de archivo no permitido") for m in _messages([("notas.txt", b"x")]))


def test_a_zip_bomb_stops_at_the_file_limit() -> None:
    bomb = _zip({"simple.bpmn": b"\0" * (MAX_FILE_BYTES * 20)})  # ~20 MB of zeros, a few KB compressed
    assert len(bomb) < 100_000
    messages = _messages([("bomba.zip", bomb)])
    assert messages == [f"simple.bpmn: el archivo supera {MAX_FILE_BYTES} bytes al descomprimirlo (en bomba.zip)"]


def test_a_zip_lying_about_its_sizes_is_not_believed() -> None:
    """The central directory says 10 bytes; the entry inflates to 3 MB: refused, never read past the bound."""
    archive = bytearray(_zip({"simple.bpmn": b"\0" * (3 * MAX_FILE_BYTES)}))
    central = archive.index(b"PK\x01\x02")
    archive[central + 24:central + 28] = struct.pack("<I", 10)
    local = archive.index(b"PK\x03\x04")
    archive[local + 22:local + 26] = struct.pack("<I", 10)
    files, problems = read_uploads([("mentira.zip", bytes(archive))])
    assert files == {}
    assert problems and problems[0].file == "simple.bpmn"


def test_too_many_entries_are_refused_before_reading() -> None:
    many = _zip({f"f{i}.json": b"{}" for i in range(MAX_FILES + 5)})
    assert any("demasiadas entradas" in m for m in _messages([("m.zip", many)]))


def test_a_broken_zip_and_a_zip_with_other_files_are_refused() -> None:
    assert any("no se puede leer" in m for m in _messages([("m.zip", b"PK\x03\x04 not really")]))
    assert any("no ambos" in m for m in _messages([("m.zip", _zip(SIMPLE)), ("otro.bpmn", b"<a/>")]))
    assert any("ningún archivo" in m for m in _messages([]))


def test_a_file_not_in_utf8_is_refused_by_name() -> None:
    messages = _messages([("simple.bpmn", "<a>ñ</a>".encode("latin-1"))])
    assert messages == ["simple.bpmn: el archivo no está en UTF-8 (byte 3)"]


def test_a_model_without_bpmn_is_refused() -> None:
    assert any("ningún archivo .bpmn" in m for m in _messages([("a.json", b"{}")]))
