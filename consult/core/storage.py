"""Uploaded files: typed by their content, stored under instance/uploads/ with generated names.

The type is read from the bytes (magic numbers, zip entries, the SVG root element), never from
the uploaded name or the declared type. Images lose their metadata (EXIF, text chunks) and SVG
files are sanitised: they are parsed with the standard library's XML parser after refusing any
DOCTYPE or ENTITY declaration, then scripts, foreign objects, event handlers, outside links and
elements outside the SVG namespace are dropped. Files are only ever served as downloads
(`Content-Disposition: attachment`, `nosniff`, a sandboxing Content-Security-Policy).
"""

import io
import re
import secrets
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from flask import current_app, send_file
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from consult.core.errors import ValidationFailed

UPLOADS_FOLDER = "uploads"
#: An area is a folder under instance/uploads/ ("kits", "restitutions"): never user input.
_AREA = re.compile(r"^[a-z0-9_-]{1,40}$")
#: The names this module generates: 32 hexadecimal digits and the detected extension.
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,4}$")
DOWNLOAD_STEM_MAX = 80


@dataclass(frozen=True)
class FileType:
    extension: str
    mimetype: str
    #: What the pages call the format ("PDF", "ODT"…): the same in every language.
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", "ODT")
ODP = FileType("odp", "application/vnd.oasis.opendocument.presentation", "ODP")
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
)
PPTX = FileType(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"
)
PNG = FileType("png", "image/png", "PNG")
JPEG = FileType("jpg", "image/jpeg", "JPEG")
SVG = FileType("svg", "image/svg+xml", "SVG")

ALL_TYPES = (PDF, ODT, ODP, DOCX, PPTX, PNG, JPEG, SVG)
DOCUMENT_TYPES = (PDF, ODT, ODP, DOCX, PPTX)
IMAGE_TYPES = (PNG, JPEG, SVG)
_BY_MIMETYPE = {t.mimetype: t for t in ALL_TYPES}


class StoredFile(NamedTuple):
    """What a saved upload became: keep all four next to the row that owns the file."""

    stored_name: str
    mimetype: str
    size: int
    download_name: str


# Detection --------------------------------------------------------------------------------------


def _not_allowed() -> ValidationFailed:
    return ValidationFailed(
        _(
            "This type of file is not accepted: send a PDF, ODT, ODP, DOCX or PPTX document, or a "
            "PNG, JPEG or SVG image."
        )  # fmt: skip
    )


def _damaged(label: str) -> ValidationFailed:
    return ValidationFailed(
        _(
            "This %(format)s file is damaged or incomplete: export it again, then send it.",
            format=label,
        )  # fmt: skip
    )


def _zip_type(data: bytes) -> FileType:
    """ODT/ODP by their "mimetype" entry, DOCX/PPTX by their parts; macros are refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "mimetype" in names:
            # Read a few bytes only: the entry could be a compression bomb.
            with archive.open("mimetype") as entry:
                declared = entry.read(100).decode("ascii", "replace").strip()
            for kind in (ODT, ODP):
                if declared == kind.mimetype:
                    if any(n.lower().startswith("basic/") for n in names):
                        raise ValidationFailed(_macros_refused())
                    return kind
            raise _not_allowed()
        if "[Content_Types].xml" in names:
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise ValidationFailed(_macros_refused())
            if any(n.startswith("word/") for n in names):
                return DOCX
            if any(n.startswith("ppt/") for n in names):
                return PPTX
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError):
        raise _not_allowed() from None
    raise _not_allowed()


def _macros_refused() -> str:
    return _("Documents containing macros are not accepted: save it without macros, then send it.")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")) and (
        b"<svg" in data[:65536].lower()
    )


def detect_type(data: bytes) -> FileType:
    """The type the bytes are, among the accepted ones. Raises ValidationFailed."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if _looks_like_svg(data):
        return SVG
    raise _not_allowed()


# Cleaning ---------------------------------------------------------------------------------------

#: PNG chunks that carry text, dates or EXIF data (who, where, with what): dropped.
_PNG_METADATA = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def clean_png(data: bytes) -> bytes:
    """The PNG with its chunks checked (lengths, CRCs, IHDR first, IEND last) and its metadata
    chunks removed. Raises ValidationFailed when the structure is broken."""
    position, kept, seen_end = 8, [data[:8]], False
    first = True
    while position < len(data):
        if position + 8 > len(data):
            raise _damaged(PNG.label)
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            raise _damaged(PNG.label)
        crc = struct.unpack(">I", data[end - 4 : end])[0]
        if zlib.crc32(data[position + 4 : end - 4]) != crc:
            raise _damaged(PNG.label)
        if first and kind != b"IHDR":
            raise _damaged(PNG.label)
        first = False
        if kind not in _PNG_METADATA:
            kept.append(data[position:end])
        position = end
        if kind == b"IEND":
            seen_end = True
            break
    if not seen_end:
        raise _damaged(PNG.label)
    return b"".join(kept)


def clean_jpeg(data: bytes) -> bytes:
    """The JPEG without its APP1 (EXIF, XMP) and comment segments. Raises ValidationFailed when
    the segments cannot be followed up to the image data."""
    kept, position = [data[:2]], 2
    while True:
        if position + 4 > len(data) or data[position] != 0xFF:
            raise _damaged(JPEG.label)
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: the image data follows, kept as is
            kept.append(data[position:])
            return b"".join(kept)
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # markers without a length
            kept.append(data[position : position + 2])
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        end = position + 2 + length
        if length < 2 or end > len(data):
            raise _damaged(JPEG.label)
        if marker not in (0xE1, 0xFE):
            kept.append(data[position:end])
        position = end


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: SVG elements that run code or embed other documents.
_SVG_DROPPED = {"script", "foreignObject", "handler", "listener", "iframe", "embed", "object"}
_CSS_OUTSIDE = re.compile(r"@import|url\(\s*['\"]?(?!#)|expression\(|javascript:", re.IGNORECASE)


class _Refused(Exception):
    pass


def _refuse_declarations(data: bytes) -> None:
    """Let expat read the document and stop at any DOCTYPE or ENTITY declaration: no entity
    expansion (billion laughs), no external entity is ever reached."""
    parser = expat.ParserCreate()

    def refuse(*_args):
        raise _Refused()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Refused:
        raise ValidationFailed(
            _(
                "This SVG image declares a DOCTYPE or entities, which are not accepted: export it "
                "again as plain SVG."
            )  # fmt: skip
        ) from None
    except expat.ExpatError:
        raise _damaged(SVG.label) from None


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _clean_svg_element(element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):  # comments, processing instructions
            element.remove(child)
            continue
        namespace, local = _split(child.tag)
        if namespace != SVG_NS or local in _SVG_DROPPED:
            element.remove(child)
            continue
        if local == "style" and _CSS_OUTSIDE.search(child.text or ""):
            element.remove(child)
            continue
        _clean_svg_element(child)
    for name, value in list(element.attrib.items()):
        namespace, local = _split(name)
        lowered = value.strip().lower()
        if (
            namespace not in ("", XLINK_NS, XML_NS)
            or local.lower().startswith("on")
            or (local == "href" and not value.strip().startswith("#"))
            or "javascript:" in lowered.replace(" ", "")
            or (local == "style" and _CSS_OUTSIDE.search(value))
        ):
            del element.attrib[name]


def clean_svg(data: bytes) -> bytes:
    """The SVG sanitised (see the module's docstring). Raises ValidationFailed."""
    _refuse_declarations(data)
    try:
        # Safe here: _refuse_declarations stopped any DOCTYPE or entity (defusedxml's job).
        root = ElementTree.fromstring(data)  # noqa: S314
    except ElementTree.ParseError:
        raise _damaged(SVG.label) from None
    if _split(root.tag) != (SVG_NS, "svg"):
        raise _not_allowed()
    _clean_svg_element(root)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write_svg(root, out, is_root=True)
    out.append("\n")
    return "".join(out).encode("utf-8")


_PREFIXES = {"": "", XLINK_NS: "xlink:", XML_NS: "xml:"}


def _write_svg(element, out: list[str], *, is_root: bool = False) -> None:
    """Serialise what _clean_svg_element kept: SVG elements, plain, xlink: and xml: attributes."""
    local = _split(element.tag)[1]
    attributes = [f'xmlns="{SVG_NS}"', f'xmlns:xlink="{XLINK_NS}"'] if is_root else []
    for name, value in element.attrib.items():
        namespace, attribute = _split(name)
        attributes.append(f"{_PREFIXES[namespace]}{attribute}={quoteattr(value)}")
    out.append(f"<{local}{' ' if attributes else ''}{' '.join(attributes)}>")
    out.append(escape(element.text or ""))
    for child in element:
        _write_svg(child, out)
        out.append(escape(child.tail or ""))
    out.append(f"</{local}>")


_CLEANERS = {PNG: clean_png, JPEG: clean_jpeg, SVG: clean_svg}


# Names ------------------------------------------------------------------------------------------


def safe_download_name(name: str | None, file_type: FileType) -> str:
    """An ASCII name without any folder, its extension the detected type's: "Modèle (v2).odt"
    becomes "Modele-v2.odt"."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot or len(extension) > 5 or not stem:
        stem = base
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"[^A-Za-z0-9._-]+", "-", folded)
    folded = re.sub(r"-{2,}", "-", folded).strip("-._")[:DOWNLOAD_STEM_MAX].strip("-._")
    return f"{folded or 'document'}.{file_type.extension}"


def _area_folder(area: str) -> Path:
    if not _AREA.match(area):
        raise ValueError(f"invalid upload area {area!r}")
    return Path(current_app.instance_path) / UPLOADS_FOLDER / area


def path_of(area: str, stored_name: str) -> Path:
    """Where a stored file is; refuses any name this module did not generate."""
    if not _STORED_NAME.match(stored_name or ""):
        raise ValueError("not a stored file name")
    return _area_folder(area) / stored_name


# Saving, deleting, serving ----------------------------------------------------------------------


def read_upload(file, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded FileStorage, refused when absent, empty or too large."""
    limit = max_bytes if max_bytes is not None else current_app.config["UPLOAD_MAX_BYTES"]
    stream = getattr(file, "stream", None)
    data = stream.read(limit + 1) if stream is not None else b""
    if not data:
        if not getattr(file, "filename", None):
            raise ValidationFailed(_("Choose a file to send."))
        raise ValidationFailed(_("The file is empty."))
    if len(data) > limit:
        raise ValidationFailed(
            _("The file is too large: at most %(size)s.", size=human_size(limit))
        )
    return data


def save_upload(
    file, area: str, *, allowed=ALL_TYPES, name: str | None = None, max_bytes: int | None = None
) -> StoredFile:
    """Check and store an uploaded file under instance/uploads/<area>/ with a random name.

    `allowed` narrows the accepted types; `name` replaces the uploaded file's name for the
    download name (its extension always comes from the detected type). Raises ValidationFailed
    (no file, empty, too large, type not allowed, damaged), writing nothing.
    """
    data = read_upload(file, max_bytes=max_bytes)
    return save_bytes(data, area, allowed=allowed, name=name or getattr(file, "filename", None))


def save_bytes(data: bytes, area: str, *, allowed=ALL_TYPES, name: str | None = None) -> StoredFile:
    """As save_upload, for bytes already in memory (copies, generated files)."""
    if not data:
        raise ValidationFailed(_("The file is empty."))
    file_type = detect_type(data)
    if file_type not in allowed:
        raise ValidationFailed(
            _(
                "This type of file is not accepted here: send %(formats)s.",
                formats=", ".join(t.label for t in allowed),
            )  # fmt: skip
        )
    cleaner = _CLEANERS.get(file_type)
    if cleaner is not None:
        data = cleaner(data)
    folder = _area_folder(area)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{file_type.extension}"
    with (folder / stored_name).open("xb") as handle:
        handle.write(data)
    return StoredFile(
        stored_name, file_type.mimetype, len(data), safe_download_name(name, file_type)
    )


def copy_stored(area: str, stored_name: str) -> str:
    """A copy of a stored file under a new generated name (for a new version that may then
    delete it without touching the original)."""
    source = path_of(area, stored_name)
    extension = stored_name.rsplit(".", 1)[1]
    copy_name = f"{secrets.token_hex(16)}.{extension}"
    with (source.parent / copy_name).open("xb") as handle:
        handle.write(source.read_bytes())
    return copy_name


def delete_stored(area: str, stored_name: str) -> None:
    """Remove a stored file; a file already gone is not an error."""
    path_of(area, stored_name).unlink(missing_ok=True)


#: Downloads never run anything, even an SVG opened directly: no script, no plug-in, no origin.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def send_stored(
    area: str, stored_name: str, mimetype: str, download_name: str, *, private: bool = False
):
    """The response that downloads a stored file: its detected type, `attachment` with the
    safe name, `nosniff`, and a sandboxing Content-Security-Policy (which matters for SVG).
    `private` files (not public yet) are kept out of shared caches."""
    path = path_of(area, stored_name)
    if mimetype not in _BY_MIMETYPE:
        mimetype = "application/octet-stream"
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=True,
        download_name=download_name,
        max_age=0 if private else 3600,
    )
    if private:
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


# Display ----------------------------------------------------------------------------------------


def format_label(mimetype: str) -> str:
    """ "PDF", "ODT"…: the format as the pages name it."""
    file_type = _BY_MIMETYPE.get(mimetype)
    return file_type.label if file_type else _("file")


def human_size(size: int) -> str:
    """ "245 KB", "1.2 MB" in the reader's language (French says "ko", "Mo")."""
    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(max(1, round(size / 1024))))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))


def describe(mimetype: str, size: int) -> str:
    """ "PDF – 245 KB": what a download link states."""
    return _("%(format)s – %(size)s", format=format_label(mimetype), size=human_size(size))
