"""Catalogue upkeep pybabel does not do: the source locale's catalogue filled from its msgids.

English is the source language: its msgids are the English text, so the English catalogue's
translations are the msgids themselves. `make i18n-update` runs

    python -m consult.core.i18n_catalogs fill-source-locale translations/en/LC_MESSAGES/messages.po

after `pybabel update`, so the English catalogue is always complete and a new English msgid
never shows up as "untranslated".
"""

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

# A header entry is the only one whose msgid is empty.
_HEADER = re.compile(r'^msgid ""\nmsgstr ', re.MULTILINE)


def fill_message(message: Message) -> bool:
    """Give `message` its own msgid as translation where it has none, or a fuzzy one.

    A fuzzy entry in the source locale is a guess pybabel made from a similar, older msgid:
    the msgid itself is always the right text. Returns whether the message changed.
    """
    if not message.id:
        return False
    if isinstance(message.id, (list, tuple)):
        singular, plural = message.id[0], message.id[1]
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else []
        wanted = [singular] + [plural] * max(len(strings) - 1, 1)
        if message.fuzzy:
            new = wanted
        else:
            new = [string or wanted[index] for index, string in enumerate(strings)] or wanted
        changed = tuple(new) != tuple(strings) or message.fuzzy
        message.string = tuple(new)
    else:
        changed = not message.string or message.fuzzy
        if changed:
            message.string = message.id
    if message.fuzzy:
        message.flags.discard("fuzzy")
    return changed


def fill_catalog(catalog: Catalog) -> int:
    """Fill every message of `catalog`; returns how many changed."""
    return sum(fill_message(message) for message in catalog if message.id)


def fill_source_locale(path: Path) -> int:
    """Fill the catalogue at `path` (translations/<locale>/LC_MESSAGES/<domain>.po) in place.

    The file is written back as `pybabel update --no-wrap` writes it: same order, no line
    wrapping, a header only if it had one. Returns how many messages changed.
    """
    text = path.read_text(encoding="utf-8")
    locale = path.parent.parent.name
    with path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    changed = fill_catalog(catalog)
    if changed:
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as target:
            # width=None: no wrapping at all, as `--no-wrap` does, so lines never move around.
            write_po(target, catalog, width=None, omit_header=not _HEADER.search(text))
        temporary.replace(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m consult.core.i18n_catalogs")
    commands = parser.add_subparsers(dest="command", required=True)
    fill = commands.add_parser(
        "fill-source-locale",
        help="Use each msgid as its own translation where the translation is empty or fuzzy.",
    )
    fill.add_argument("catalogues", nargs="+", type=Path, metavar="PO_FILE")
    arguments = parser.parse_args(argv)

    for path in arguments.catalogues:
        if not path.is_file():
            parser.error(f"no such catalogue: {path}")
        changed = fill_source_locale(path)
        print(f"{path}: {changed} message(s) filled from their msgid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
