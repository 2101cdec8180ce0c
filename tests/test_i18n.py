"""The catalogues are current: messages.pot matches the code, fr and en translate all of it.

When the first test fails, run `make i18n-update` (it re-extracts and updates both catalogues).
When the second fails, translate the listed messages in translations/<locale>/LC_MESSAGES/.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

REPOSITORY = Path(__file__).resolve().parent.parent
TRANSLATIONS = REPOSITORY / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LOCALES = ("fr", "en")
SHOWN = 20


def key_of(message) -> str | tuple[str, ...]:
    """The msgid; for a plural message, the (singular, plural) pair."""
    return message.id if isinstance(message.id, str) else tuple(message.id)


def message_keys(path: Path) -> set[tuple]:
    """(context, msgid) of every message of the catalogue at `path`."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {(message.context, key_of(message)) for message in catalog if message.id}


def describe(keys) -> str:
    keys = sorted(keys, key=repr)
    lines = [f"  {context + ' | ' if context else ''}{msgid!r}" for context, msgid in keys[:SHOWN]]
    if len(keys) > SHOWN:
        lines.append(f"  … and {len(keys) - SHOWN} more")
    return "\n".join(lines)


def extract(output: Path) -> None:
    """What `make i18n-extract` runs, written to `output`."""
    pybabel = Path(sys.executable).with_name("pybabel")
    command = [
        str(pybabel), "-q", "extract",
        "-F", str(TRANSLATIONS / "babel.cfg"),
        "-k", "_l", "-k", "lazy_gettext",
        "--add-comments=TRANSLATORS:", "--sort-by-file", "--no-wrap", "--omit-header",
        "-o", str(output), ".",
    ]  # fmt: skip
    subprocess.run(command, cwd=REPOSITORY, check=True, capture_output=True)  # noqa: S603


def test_messages_pot_matches_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract(fresh)

    in_code, in_template = message_keys(fresh), message_keys(TEMPLATE)
    assert in_code, "the extraction found no message at all"
    missing, stale = in_code - in_template, in_template - in_code
    if missing or stale:
        pytest.fail(
            "translations/messages.pot is stale: run `make i18n-update`.\n"
            f"In the code but not in messages.pot ({len(missing)}):\n{describe(missing)}\n"
            f"In messages.pot but no longer in the code ({len(stale)}):\n{describe(stale)}"
        )


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_translates_every_message(locale):
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    assert path.is_file(), f"{path} is missing: run `pybabel init` (see the README)"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)

    offenders = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and (message.fuzzy or not all(strings)):
            offenders.add((message.context, key_of(message)))
    not_merged = message_keys(TEMPLATE) - message_keys(path)

    if offenders or not_merged:
        pytest.fail(
            f"translations/{locale}: {len(offenders)} message(s) untranslated or fuzzy:\n"
            f"{describe(offenders)}\n"
            f"{len(not_merged)} message(s) of messages.pot not merged (run `make i18n-update`):\n"
            f"{describe(not_merged)}"
        )
