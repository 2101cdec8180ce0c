"""The demo workshops: the kit of the 2016 annex, the real first event, upcoming examples."""

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from consult.core import storage
from consult.core.db import utcnow
from consult.demo import load_demo_data
from consult.workshops import kits, rules
from consult.workshops.models import Event, Kit

# The 2015-2017 commitments the plan's detail gives to the secretariat of State for State
# reform (the annex speaks of ten; see consult/plans/demo_data/README.md).
SEREF_COMMITMENTS = [4, 11, 12, 13, 15, 16, 17, 18, 21, 22, 25, 26]


@pytest.fixture
def demo(app, demo_db):
    with app.test_request_context():
        yield demo_db


def stored(document) -> bytes:
    return storage.path_of(kits.UPLOAD_AREA, document.stored_name).read_bytes()


def text_of(document) -> str:
    """What a reader of the file sees, roughly: PDF strings, ODT content, SVG text."""
    data = stored(document)
    if document.mimetype == "application/pdf":  # the lines shown, joined
        return " ".join(line.decode("cp1252") for line in re.findall(rb"\((.*?)\) Tj", data))
    if document.mimetype.startswith("application/vnd.oasis"):
        return zipfile.ZipFile(io.BytesIO(data)).read("content.xml").decode()
    return data.decode()


def test_the_kit_is_published_with_the_five_resources_of_the_annex(demo):
    kit = kits.get_current_kit()

    assert (kit.version, kit.title) == (1, "Kit Ministère ouvert")
    assert kit.published_at is not None
    assert "substituts" in kit.description  # the page says the files are placeholders
    assert [(d.kind, d.title) for d in kit.documents] == [
        ("workshop_format", "Ministère ouvert - format type atelier"),
        ("programme_template", "Ministère ouvert - Modèle programme"),
        ("plenary_slides", "Ministère ouvert - Modèle présentation plénière"),
        ("workshop_materials", "Ministère ouvert - Supports ateliers"),
        ("logo", 'Logo "Ministère ouvert"'),
    ]
    assert [storage.format_label(d.mimetype) for d in kit.documents] == [
        "PDF", "ODT", "PDF", "PDF", "SVG",
    ]  # fmt: skip
    assert demo.session.scalar(select(func.count(Kit.id))) == 1


def test_each_resource_is_a_real_file_of_its_type_saying_it_is_a_placeholder(demo):
    for document in kits.get_current_kit().documents:
        data = stored(document)
        assert storage.detect_type(data).mimetype == document.mimetype
        assert len(data) == document.size
        assert document.download_name.endswith("." + storage.detect_type(data).extension)
        assert "substitut reconstitué" in text_of(document), document.title
    assert "Ministère ouvert" in text_of(kits.get_current_kit().documents[-1])


def test_the_pdf_resources_have_a_correct_cross_reference_table(demo):
    for document in kits.get_current_kit().documents:
        if document.mimetype != "application/pdf":
            continue
        data = stored(document)
        start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
        assert data[start:].startswith(b"xref\n")
        offsets = re.findall(rb"(\d{10}) 00000 n ", data[start:])
        for number, offset in enumerate(offsets, start=1):
            assert data[int(offset) :].startswith(f"{number} 0 obj".encode())


def test_the_first_event_is_the_21_june_2016_one(demo):
    event = demo.session.scalars(select(Event).where(Event.title == "Ministère ouvert #1")).one()

    # 17h-20h in Paris, summer time.
    assert event.starts_at == datetime(2016, 6, 21, 15, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2016, 6, 21, 18, 0, tzinfo=UTC)
    assert event.institution.slug == "secretariat-etat-reforme-etat"
    assert (
        event.venue == "Secrétariat d'Etat chargé de la Réforme de l'Etat et de la Simplification"
    )
    assert (event.status, event.is_demo, event.kit_id) == ("published", False, None)
    assert event.is_past(utcnow())
    assert sorted(c.number for c in event.commitments) == SEREF_COMMITMENTS
    assert {c.plan.slug for c in event.commitments} == {"2015-2017"}
    assert [item.kind for item in event.items] == ["workshop", "restitution"]
    assert "secrétaire d'Etat" in event.items[1].description


def test_upcoming_demo_events_are_built_on_the_kit_and_marked(demo):
    now = utcnow()
    upcoming = demo.session.scalars(
        select(Event).where(Event.is_demo.is_(True)).order_by(Event.starts_at)
    ).all()

    assert len(upcoming) == 3
    for event in upcoming:
        assert "(démonstration)" in event.title
        assert event.starts_at > now and event.status == "published"
        assert event.kit.version == 1
        assert event.commitments
        assert rules.is_registration_open(event, now)
        kinds = [item.kind for item in event.items]
        assert kinds[0] == "plenary" and kinds[-1] == "restitution"
        workshops = [item for item in event.items if item.kind == "workshop"]
        assert 2 <= len(workshops) <= 3
        assert all(item.capacity and item.takes_registrations for item in workshops)
    online = [e for e in upcoming if e.is_online and not e.is_in_person]
    assert len(online) == 1 and online[0].has_parity_quota
    assert any(e.is_online and e.is_in_person for e in upcoming)
    weeks = [(e.starts_at - now).days // 7 for e in upcoming]
    assert weeks == sorted(weeks) and weeks[0] >= 2


def test_loading_again_with_if_empty_changes_nothing(demo):
    events_before = demo.session.scalar(select(func.count(Event.id)))

    assert load_demo_data(only_if_empty=True) == "The database already has data: nothing loaded."
    assert demo.session.scalar(select(func.count(Event.id))) == events_before
    assert demo.session.scalar(select(func.count(Kit.id))) == 1
