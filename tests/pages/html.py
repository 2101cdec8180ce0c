"""A small reader of rendered pages: language, title, headings, links, forms' kept values."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Link:
    href: str
    classes: tuple[str, ...]
    text: str


@dataclass
class Page:
    lang: str | None = None
    title: str = ""
    headings: list[tuple[int, str]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def h1s(self) -> list[str]:
        return [text for level, text in self.headings if level == 1]

    def links_with_class(self, css_class: str) -> list[Link]:
        return [link for link in self.links if css_class in link.classes]


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_title = False
        self._heading: tuple[int, list[str]] | None = None
        self._link: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.page.lang = attributes.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._heading = (int(tag[1]), [])
        elif tag == "a" and "href" in attributes:
            self._link = (attributes, [])
        elif tag == "input" and attributes.get("name"):
            self.page.inputs[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif self._heading and tag == f"h{self._heading[0]}":
            self.page.headings.append((self._heading[0], _squash(self._heading[1])))
            self._heading = None
        elif tag == "a" and self._link:
            attributes, text = self._link
            classes = tuple(attributes.get("class", "").split())
            self.page.links.append(Link(attributes["href"], classes, _squash(text)))
            self._link = None

    def handle_data(self, data):
        if self._in_title:
            self.page.title += data
        if self._heading:
            self._heading[1].append(data)
        if self._link:
            self._link[1].append(data)


def _squash(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


def read_page(response) -> Page:
    reader = _Reader()
    reader.feed(response.get_data(as_text=True))
    reader.close()
    reader.page.title = " ".join(reader.page.title.split())
    return reader.page
