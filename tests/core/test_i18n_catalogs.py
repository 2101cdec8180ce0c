"""The source-locale filler run by `make i18n-update` on the English catalogue."""

from babel.messages.pofile import read_po

from consult.core.i18n_catalogs import fill_source_locale, main

HEADER = """\
msgid ""
msgstr ""
"Project-Id-Version: consult\\n"
"Language: en\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

"""
LONG = "A sentence long enough to be wrapped by any tool that wraps lines at the usual width of76."
MESSAGES = f"""\
#: consult/pages/views.py:1
msgid "Log in"
msgstr ""

#: templates/pages/home.html:2
#, python-format
msgid "{LONG} %(name)s"
msgstr ""

#: templates/macros/forms.html:3
#, python-format
msgid "The form has %(num)d error"
msgid_plural "The form has %(num)d errors"
msgstr[0] ""
msgstr[1] ""

#: consult/accounts/forms.py:4
msgid "Sign up"
msgstr "Create an account"

#: consult/accounts/forms.py:5
#, fuzzy
msgid "Log out"
msgstr "Log in"
"""


def catalogue(tmp_path, text: str):
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    path = folder / "messages.po"
    path.write_text(text, encoding="utf-8")
    return path


def strings(path) -> dict:
    with path.open("rb") as handle:
        return {m.id: (m.string, m.fuzzy) for m in read_po(handle, locale="en") if m.id}


def test_empty_and_fuzzy_translations_become_the_msgid(tmp_path):
    path = catalogue(tmp_path, HEADER + MESSAGES)

    assert fill_source_locale(path) == 4

    assert strings(path) == {
        "Log in": ("Log in", False),
        f"{LONG} %(name)s": (f"{LONG} %(name)s", False),
        ("The form has %(num)d error", "The form has %(num)d errors"): (
            ("The form has %(num)d error", "The form has %(num)d errors"),
            False,
        ),
        "Sign up": ("Create an account", False),  # a deliberate English wording stays
        "Log out": ("Log out", False),
    }


def test_the_file_keeps_its_layout_and_a_second_run_changes_nothing(tmp_path):
    path = catalogue(tmp_path, HEADER + MESSAGES)
    fill_source_locale(path)
    text = path.read_text(encoding="utf-8")

    assert text.lstrip().startswith('msgid ""\nmsgstr ""\n')  # the header stays first
    assert '"Language: en\\n"' in text
    assert f'msgstr "{LONG} %(name)s"\n' in text  # on one line: never wrapped
    assert "#: templates/macros/forms.html:3\n#, python-format\n" in text
    assert "fuzzy" not in text
    assert fill_source_locale(path) == 0
    assert path.read_text(encoding="utf-8") == text


def test_a_catalogue_without_header_gets_none(tmp_path):
    path = catalogue(tmp_path, MESSAGES)
    fill_source_locale(path)
    assert path.read_text(encoding="utf-8").startswith("#: consult/pages/views.py:1\n")


def test_command_line_fills_the_catalogue(tmp_path, capsys):
    path = catalogue(tmp_path, HEADER + MESSAGES)

    assert main(["fill-source-locale", str(path)]) == 0

    assert "4 message(s) filled" in capsys.readouterr().out
    assert strings(path)["Log in"] == ("Log in", False)
