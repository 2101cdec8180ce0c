"""Rich text: a small Markdown subset rendered by markdown-it-py, then sanitised by bleach.

The only place either library is called. Sources are stored as typed; HTML is made on display.
"""

import html
from functools import lru_cache

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # No raw HTML, no images, no headings or tables: paragraphs, emphasis, lists, links, quotes.
    return MarkdownIt(
        "zero", {"html": False, "linkify": False, "typographer": False, "breaks": True}
    ).enable(["emphasis", "list", "link", "blockquote", "newline", "backticks", "escape"])


def _add_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = LINK_REL
    return attrs


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        filters=[],
    )


def rich_text(source: str | None) -> Markup:
    """Safe HTML for a Markdown-subset text; empty for None."""
    if not source:
        return Markup("")
    html = _parser().render(source)
    cleaned = _cleaner().clean(html)
    linked = bleach.linkify(cleaned, callbacks=[_add_rel], parse_email=False)
    return Markup(linked)  # noqa: S704 - sanitised by bleach just above


def plain_excerpt(source: str | None, length: int = 200) -> str:
    """The text without markup, cut at a word boundary, for summaries and feeds.

    Plain text, not HTML: templates escape it (and e-mails show it as typed)."""
    if not source:
        return ""
    text = html.unescape(bleach.clean(_parser().render(source), tags=set(), strip=True))
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"
