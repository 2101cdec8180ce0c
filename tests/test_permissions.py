"""The role matrix: each cell of ROLE_CAPABILITIES against the design's table, and its page."""

import re
from html.parser import HTMLParser

import pytest
from flask_login import AnonymousUserMixin

from consult.core.errors import PermissionDenied
from consult.core.permissions import ROLE_CAPABILITIES, Capability, Role, can, require

# The design's table (docs: architecture guide, section 4), written out cell by cell:
# columns visitor, participant, organiser, moderator, admin.
EXPECTED = {
    "accounts:set_role":   (0, 0, 0, 0, 1),
    "discussions:comment": (0, 1, 1, 1, 1),
    "moderation:decide":   (0, 0, 0, 1, 1),
    "moderation:report":   (0, 1, 1, 1, 1),
    "petitions:sign":      (1, 1, 1, 1, 1),
    "petitions:submit":    (0, 1, 1, 1, 1),
    "plans:manage":        (0, 0, 1, 0, 1),
    "workshops:manage":    (0, 0, 1, 0, 1),
    "workshops:register":  (0, 1, 1, 1, 1),
}  # fmt: skip
ROLES = ("visitor", "participant", "organiser", "moderator", "admin")

CELLS = [
    (role, capability, bool(row[column]))
    for capability, row in EXPECTED.items()
    for column, role in enumerate(ROLES)
]


class Actor:
    is_authenticated = True

    def __init__(self, role: str):
        self.role = role


def _actor(role: str):
    return AnonymousUserMixin() if role == "visitor" else Actor(role)


def test_the_expected_table_covers_every_role_and_capability():
    assert set(EXPECTED) == {c.value for c in Capability}
    assert ROLES == tuple(r.value for r in Role)
    assert set(ROLE_CAPABILITIES) == set(Role)


@pytest.mark.parametrize(("role", "capability", "allowed"), CELLS)
def test_each_cell_of_the_role_matrix(role, capability, allowed):
    actor = _actor(role)
    assert can(actor, Capability(capability)) is allowed
    if allowed:
        require(actor, Capability(capability))
    else:
        with pytest.raises(PermissionDenied):
            require(actor, Capability(capability))


def test_anonymous_and_none_are_visitors():
    assert can(None, Capability.PETITIONS_SIGN)
    assert not can(None, Capability.DISCUSSIONS_COMMENT)


class _MatrixParser(HTMLParser):
    """Reads the table of the role matrix page: header roles, then (capability, [cells])."""

    def __init__(self):
        super().__init__()
        self.in_table = False
        self.header: list[str] = []
        self.rows: list[tuple[str, list[str]]] = []
        self.scopes: list[str] = []
        self.caption = ""
        self._cell: list[str] | None = None
        self._tag = None
        self._row: list[str] | None = None
        self._code = False
        self._capability = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "role-matrix":
            self.in_table = True
        if not self.in_table:
            return
        if tag == "tr":
            self._row = []
        elif tag in ("th", "td", "caption"):
            self._tag, self._cell = tag, []
            if tag == "th":
                self.scopes.append(attrs.get("scope", ""))
        elif tag == "code":
            self._code = True

    def handle_endtag(self, tag):
        if not self.in_table:
            return
        if tag == "code":
            self._code = False
        elif tag in ("th", "td", "caption") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if tag == "caption":
                self.caption = text
            elif self._row is not None:
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if not self.header:
                self.header = self._row
            else:
                self.rows.append((self._capability, self._row))
            self._row = None
        elif tag == "table":
            self.in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._code:
            self._capability = data.strip()


def test_role_matrix_page_renders_each_cell(client, make_user, login_as):
    admin = make_user(role="admin", locale="en")
    login_as(admin)
    response = client.get("/admin/roles")
    assert response.status_code == 200

    table = _MatrixParser()
    table.feed(response.get_data(as_text=True))

    assert table.caption == "Capabilities by role"
    assert table.header == ["Capability", "Visitor", "Participant", "Organiser", "Moderator",
                            "Administrator"]  # fmt: skip
    assert set(table.scopes) == {"col", "row"}
    assert [capability for capability, _ in table.rows] == list(EXPECTED)
    for capability, cells in table.rows:
        label, *answers = cells
        assert label.endswith(capability)  # the translated label, then the raw name
        expected = ["Yes" if allowed else "No" for allowed in EXPECTED[capability]]
        assert answers == expected, capability


def test_role_matrix_labels_are_translated_words(client, make_user, login_as):
    login_as(make_user(role="admin", locale="en"))
    html = client.get("/admin/roles").get_data(as_text=True)
    assert "Change roles and institutions" in html
    assert "<code" in html and "accounts:set_role</code>" in html
    assert len(re.findall(r">\s*Yes</td>|</span> Yes</td>", html)) == sum(
        sum(row) for row in EXPECTED.values()
    )
