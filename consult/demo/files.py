"""Small real files written at load time for the demonstration kit: PDF, ODT, PNG and SVG.

The annex that describes the "Ministère ouvert" kit gives each resource's title and one sentence,
never its content: every file made here says it is a placeholder reconstituted from that
description.
"""

import io
import struct
import textwrap
import zipfile
import zlib
from xml.sax.saxutils import escape

# PDF --------------------------------------------------------------------------------------------

_PDF_LINE_WIDTH = 80


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (cp1252 covers French), parentheses escaped."""
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(title: str, paragraphs: list[str], *, landscape: bool = False) -> bytes:
    """A one-page PDF with a title and paragraphs in Helvetica: valid, small, written by hand."""
    width, height = (842, 595) if landscape else (595, 842)
    lines = [b"BT", b"/F2 18 Tf", f"50 {height - 70} Td".encode(), b"22 TL"]
    for piece in textwrap.wrap(title, 60):
        lines.append(_pdf_string(piece) + b" Tj T*")
    lines += [b"/F1 11 Tf", b"15 TL", b"T*"]
    for paragraph in paragraphs:
        for piece in textwrap.wrap(paragraph, _PDF_LINE_WIDTH + (30 if landscape else 0)) or [""]:
            lines.append(_pdf_string(piece) + b" Tj T*")
        lines.append(b"T*")
    lines.append(b"ET")
    content = b"\n".join(lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Title " + _pdf_string(title) + b" /Producer (consult) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


# ODT --------------------------------------------------------------------------------------------

_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" \
manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def make_odt(title: str, paragraphs: list[str]) -> bytes:
    """A minimal OpenDocument text: the "mimetype" entry first and stored, then the content."""
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:text>"
        f'<text:h text:outline-level="1">{escape(title)}</text:h>{body}'
        "</office:text></office:body></office:document-content>\n"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", _ODT_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# Images -----------------------------------------------------------------------------------------


def make_png(width: int = 2, height: int = 2, rgb=(0, 0, 145)) -> bytes:
    """A plain-colour PNG (DSFR blue by default), chunks and CRCs as the format wants."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def make_logo_svg(text: str, note: str) -> bytes:
    """The "Ministère ouvert" wordmark as a small SVG, with the placeholder note as its title."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="480" height="160" viewBox="0 0 480 160" \
role="img" aria-labelledby="title">
  <title id="title">{escape(text)} – {escape(note)}</title>
  <rect width="480" height="160" fill="#000091"/>
  <rect x="0" y="140" width="160" height="20" fill="#000091"/>
  <rect x="160" y="140" width="160" height="20" fill="#ffffff"/>
  <rect x="320" y="140" width="160" height="20" fill="#e1000f"/>
  <text x="240" y="85" fill="#ffffff" font-family="Marianne, Arial, sans-serif" \
font-size="40" font-weight="700" text-anchor="middle">{escape(text)}</text>
</svg>
""".encode()
