"""Uploads: typed by their content, cleaned, stored under generated names, served as downloads."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage

from consult.core import storage
from consult.core.errors import ValidationFailed

AREA = "tests"


@pytest.fixture(autouse=True)
def english_interface(app, monkeypatch):
    """These tests read the messages in English, whatever the default language."""
    monkeypatch.setattr(app.extensions["babel"], "locale_selector", lambda: "en")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def upload(data: bytes, filename="document.pdf", content_type="application/octet-stream"):
    return FileStorage(io.BytesIO(data), filename=filename, content_type=content_type)


def stored_bytes(stored) -> bytes:
    return storage.path_of(AREA, stored.stored_name).read_bytes()


# Files made here, as small as their format allows --------------------------------------------


def minimal_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def zip_of(entries: dict[str, str], *, mimetype: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if mimetype is not None:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        for name, content in entries.items():
            archive.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def odt() -> bytes:
    return zip_of(
        {"content.xml": "<office:document-content/>", "META-INF/manifest.xml": "<m/>"},
        mimetype="application/vnd.oasis.opendocument.text",
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(*, with_text: bool = False) -> bytes:
    chunks = [png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))]
    if with_text:
        chunks.append(png_chunk(b"tEXt", b"Author\x00Jeanne Martin, 12 rue des Lilas"))
    chunks += [png_chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x91")), png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def jpeg_with_exif() -> bytes:
    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xE1, b"Exif\x00\x00GPS 48.8566N 2.3522E")
        + segment(0xFE, b"camera owner")
        + segment(0xDB, b"\x00" + bytes(64))
        + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
        + b"\x12\x34\x56"
        + b"\xff\xd9"
    )


HOSTILE_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="10" height="10" onload="alert('load')">
  <script>alert('script')</script>
  <defs><circle id="dot" r="2"/></defs>
  <a xlink:href="javascript:alert('link')"><rect width="5" height="5" onclick="alert(1)"/></a>
  <a href="https://tracker.example/"><rect width="1" height="1"/></a>
  <use xlink:href="#dot"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
  <style>@import url(https://tracker.example/x.css);</style>
  <text x="1" y="9">Ministère ouvert</text>
</svg>
""".encode()


# Types -----------------------------------------------------------------------------------------


def test_a_pdf_is_stored_under_a_generated_name_with_a_safe_download_name(ctx, app):
    stored = storage.save_upload(
        upload(minimal_pdf(), filename="C:\\Users\\moi\\Compte rendu d'été (v2).PDF"), AREA
    )

    assert stored.mimetype == "application/pdf"
    assert stored.size == len(minimal_pdf())
    assert stored.download_name == "Compte-rendu-d-ete-v2.pdf"
    assert stored.stored_name.endswith(".pdf") and "Compte" not in stored.stored_name
    path = Path(app.instance_path) / "uploads" / AREA / stored.stored_name
    assert path.read_bytes() == minimal_pdf()


def test_odt_odp_docx_and_pptx_are_recognised_by_their_zip_entries(ctx):
    odp = zip_of(
        {"content.xml": "<x/>"}, mimetype="application/vnd.oasis.opendocument.presentation"
    )
    docx = zip_of({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"})
    pptx = zip_of({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"})

    assert storage.save_bytes(odt(), AREA, name="Programme").download_name == "Programme.odt"
    assert storage.save_bytes(odp, AREA).mimetype.endswith("opendocument.presentation")
    assert storage.save_bytes(docx, AREA).mimetype.endswith("wordprocessingml.document")
    assert storage.save_bytes(pptx, AREA, name="a.docx").download_name == "a.pptx"


@pytest.mark.parametrize(
    "data",
    [
        zip_of({"content.xml": "<x/>"}, mimetype="application/vnd.oasis.opendocument.spreadsheet"),
        zip_of({"readme.txt": "just a zip"}),
        zip_of({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<w/>"}),
        b"PK\x03\x04 truncated zip",
    ],
    ids=["ods", "plain-zip", "xlsx", "broken-zip"],
)
def test_other_zip_files_are_refused(ctx, data):
    with pytest.raises(ValidationFailed, match="not accepted"):
        storage.save_bytes(data, AREA)


def test_office_documents_with_macros_are_refused(ctx):
    docm = zip_of(
        {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": "<w/>",
            "word/vbaProject.bin": "macro",
        }
    )
    with pytest.raises(ValidationFailed, match="macros"):
        storage.save_bytes(docm, AREA)


def test_a_renamed_executable_is_refused_whatever_its_name_and_declared_type(ctx, app):
    before = set((Path(app.instance_path) / "uploads").rglob("*"))
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)

    with pytest.raises(ValidationFailed, match="not accepted"):
        storage.save_upload(
            upload(executable, filename="rapport.pdf", content_type="application/pdf"), AREA
        )
    assert set((Path(app.instance_path) / "uploads").rglob("*")) == before


def test_a_type_outside_those_allowed_here_is_refused(ctx):
    with pytest.raises(ValidationFailed, match="PNG, JPEG, SVG"):
        storage.save_bytes(minimal_pdf(), AREA, allowed=storage.IMAGE_TYPES)


# Size ------------------------------------------------------------------------------------------


def test_ten_megabytes_are_accepted_and_one_byte_more_is_refused(ctx, app):
    limit = app.config["UPLOAD_MAX_BYTES"]
    assert limit == 10 * 1024 * 1024
    exactly = minimal_pdf() + b"%" * (limit - len(minimal_pdf()))

    assert storage.save_upload(upload(exactly), AREA).size == limit
    with pytest.raises(ValidationFailed, match="too large"):
        storage.save_upload(upload(exactly + b"%"), AREA)


def test_an_empty_file_and_no_file_are_refused_with_their_own_message(ctx):
    with pytest.raises(ValidationFailed, match="empty"):
        storage.save_upload(upload(b"", filename="vide.pdf"), AREA)
    with pytest.raises(ValidationFailed, match="Choose a file"):
        storage.save_upload(upload(b"", filename=""), AREA)
    with pytest.raises(ValidationFailed, match="Choose a file"):
        storage.save_upload(None, AREA)


# Images ----------------------------------------------------------------------------------------


def test_a_png_is_kept_without_its_text_chunks(ctx):
    stored = storage.save_bytes(png(with_text=True), AREA, name="photo.jpg")

    assert stored.mimetype == "image/png" and stored.download_name == "photo.png"
    assert stored_bytes(stored) == png()
    assert b"Jeanne" not in stored_bytes(stored)


def test_a_png_header_alone_is_refused_as_damaged(ctx):
    with pytest.raises(ValidationFailed, match="damaged"):
        storage.save_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, AREA)


def test_a_jpeg_loses_its_exif_and_comments_but_keeps_its_image(ctx):
    stored = storage.save_bytes(jpeg_with_exif(), AREA)
    data = stored_bytes(stored)

    assert stored.mimetype == "image/jpeg" and stored.download_name.endswith(".jpg")
    assert b"GPS" not in data and b"camera owner" not in data
    assert data.startswith(b"\xff\xd8\xff\xe0") and data.endswith(b"\x12\x34\x56\xff\xd9")


def test_an_svg_is_sanitised_scripts_handlers_and_outside_links_dropped(ctx):
    stored = storage.save_bytes(HOSTILE_SVG, AREA, name="logo")
    text = stored_bytes(stored).decode()

    assert stored.mimetype == "image/svg+xml" and stored.download_name == "logo.svg"
    for gone in ("<script", "alert", "onload", "onclick", "javascript:", "foreignObject",
                 "tracker.example", "@import", "<div"):  # fmt: skip
        assert gone not in text, gone
    assert 'xlink:href="#dot"' in text  # links inside the image stay
    assert "Ministère ouvert</text>" in text
    assert text.count("<rect") == 2


@pytest.mark.parametrize(
    "svg",
    [
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
    ids=["entity-expansion", "external-entity", "doctype"],
)
def test_an_svg_with_a_doctype_or_entities_is_refused(ctx, svg):
    with pytest.raises(ValidationFailed, match="DOCTYPE"):
        storage.save_bytes(svg, AREA)


def test_xml_that_is_not_svg_and_broken_svg_are_refused(ctx):
    with pytest.raises(ValidationFailed):
        storage.save_bytes(b'<?xml version="1.0"?><html><svg/></html>', AREA)
    with pytest.raises(ValidationFailed, match="damaged"):
        storage.save_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', AREA)


# Names, deleting, serving ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("/tmp/Élément.exe.pdf", "Element.exe.pdf"),
        ("????.pdf", "document.pdf"),
        ("", "document.pdf"),
        (None, "document.pdf"),
        ("a" * 300 + ".pdf", "a" * storage.DOWNLOAD_STEM_MAX + ".pdf"),
    ],
)
def test_download_names_are_ascii_without_folders(name, expected):
    assert storage.safe_download_name(name, storage.PDF) == expected


def test_only_generated_names_reach_the_disk(ctx):
    for name in ("../secret_key", "x.pdf", "0" * 32 + ".pdf/../../config.py"):
        with pytest.raises(ValueError):
            storage.path_of(AREA, name)
    with pytest.raises(ValueError):
        storage.path_of("../instance", "0" * 32 + ".pdf")


def test_delete_removes_the_file_and_tolerates_a_missing_one(ctx):
    stored = storage.save_bytes(minimal_pdf(), AREA)
    path = storage.path_of(AREA, stored.stored_name)

    storage.delete_stored(AREA, stored.stored_name)
    storage.delete_stored(AREA, stored.stored_name)
    assert not path.exists()


def test_a_download_is_an_attachment_with_its_type_nosniff_and_a_sandbox(app):
    with app.test_request_context():
        stored = storage.save_bytes(HOSTILE_SVG, AREA, name="Logo Ministère ouvert")
        response = storage.send_stored(
            AREA, stored.stored_name, stored.mimetype, stored.download_name
        )
        response.direct_passthrough = False
        body = response.get_data()

    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=Logo-Ministere-ouvert.svg"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"<script" not in body


def test_sizes_read_as_people_say_them(ctx):
    with force_locale("en"):
        assert storage.describe("application/pdf", 245 * 1024) == "PDF – 245 KB"
        assert storage.human_size(3_500_000) == "3.3 MB"
        assert storage.human_size(1) == "1 byte"
        assert storage.describe("application/x-unknown", 10) == "file – 10 bytes"
