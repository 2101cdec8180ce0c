"""Demonstration workshops: the "Ministère ouvert" kit, the real first event, upcoming examples.

The kit and the first event come from consult/plans/demo_data/ministere_ouvert_kit.yaml (the
annex of the 2015-2017 mid-term self-assessment). The annex describes the five resources
without giving them: their files are placeholders written here, each saying so. The upcoming
events are made up, flagged is_demo and titled "(démonstration)", dated from the load day.
"""

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from consult.accounts.models import Institution
from consult.accounts.system import SystemActor
from consult.core.db import db
from consult.demo import files
from consult.plans.models import Commitment, Plan, commitment_institutions
from consult.workshops import kits
from consult.workshops import services as events
from consult.workshops.models import Event, ItemKind, Kit, ProgrammeItem

PARIS = ZoneInfo("Europe/Paris")

PLACEHOLDER_NOTE = (
    "Fichier de démonstration : l'annexe « Kit Ministère ouvert » du rapport d'autoévaluation à "
    "mi-parcours du plan 2015-2017 (juillet 2016) décrit cette ressource sans en donner le "
    "contenu. Ce document est un substitut reconstitué à partir de cette seule description."
)
KIT_NOTE = (
    "*Démonstration : les fichiers ci-dessous sont des substituts. L'annexe ne donne de chaque "
    "ressource que son intitulé et une phrase de description ; chaque fichier a été reconstitué "
    "à partir de cette description et le dit.*"
)


def _paris(day: date, clock: str) -> datetime:
    """A Paris wall-clock time on `day`, in UTC."""
    return datetime.combine(day, time.fromisoformat(clock), PARIS).astimezone(UTC)


# The kit ----------------------------------------------------------------------------------------


def _resource_file(resource: dict, source_title: str) -> tuple[bytes, str]:
    """The placeholder file of a resource and the name it is uploaded under."""
    title = resource["title"]
    paragraphs = [
        text
        for text in (
            resource.get("description")
            and f"Description donnée par l'annexe : {resource['description']}.",
            PLACEHOLDER_NOTE,
            f"Source : {source_title}.",
        )
        if text
    ]
    kind = resource["kind"]
    if kind == "logo":
        return files.make_logo_svg(
            "Ministère ouvert", PLACEHOLDER_NOTE
        ), "logo-ministere-ouvert.svg"
    if kind == "programme_template":
        return files.make_odt(title, paragraphs), f"{resource['slug']}.odt"
    landscape = kind == "plenary_slides"
    return files.make_pdf(title, paragraphs, landscape=landscape), f"{resource['slug']}.pdf"


def load_kit(data: dict) -> Kit:
    """Version 1 of the kit, published, with its five placeholder resources."""
    system = SystemActor()
    description = "\n\n".join(
        part.strip()
        for part in (data.get("introduction"), data.get("how_to_promote"), KIT_NOTE)
        if part
    )
    kit = kits.create_kit_version(system, title=data["title"], description=description)
    source_title = data.get("source_title") or data.get("source") or ""
    for resource in data.get("resources") or []:
        content, filename = _resource_file(resource, source_title)
        kits.add_kit_document(
            system,
            kit,
            kind=resource["kind"],
            title=resource["title"],
            description=resource.get("description") or "",
            file=FileStorage(io.BytesIO(content), filename=filename),
        )
    kits.publish_kit(system, kit)
    return kit


# The first event (21 June 2016) -----------------------------------------------------------------


def _carried_commitments(plan_slug: str, institution: Institution) -> list[Commitment]:
    return list(
        db.session.scalars(
            select(Commitment)
            .join(Plan, Plan.id == Commitment.plan_id)
            .join(
                commitment_institutions,
                commitment_institutions.c.commitment_id == Commitment.id,
            )
            .where(
                Plan.slug == plan_slug,
                commitment_institutions.c.institution_id == institution.id,
            )
            .order_by(Commitment.number)
        )
    )


def load_first_event(data: dict, institutions: dict[str, Institution]) -> Event:
    """ "Ministère ouvert #1": 21 June 2016, 17h-20h, at the secretariat of State for State
    reform, about the 2015-2017 commitments it carries (the annex says ten; the plan's detail
    gives it twelve, all are linked: see the data README). Made before the kit existed."""
    system = SystemActor()
    first = data["first_event"]
    institution = institutions[first["host_institution"]]
    day = first["date"]
    event = events.create_event(
        system,
        institution=institution,
        title=first["title"],
        starts_at=_paris(day, first["start_time"]),
        ends_at=_paris(day, first["end_time"]),
        description=first["description"].strip(),
        venue=first["place"],
        commitments=_carried_commitments(data.get("plan") or "2015-2017", institution),
        has_waiting_list=False,
    )
    # The annex gives the format, not a programme: workshops, then the contributions presented
    # to the secretary of State. Neither the split time nor any capacity is known, so the items
    # are written as the document gives them, without the seats a service would require.
    event.items = [
        ProgrammeItem(
            position=1,
            kind=ItemKind.WORKSHOP.value,
            title="Ateliers avec les agents de l'administration",
            description=(
                "Répartis en ateliers, les participants ont pu échanger avec les agents de "
                "l'administration."
            ),
            starts_at=event.starts_at,
        ),
        ProgrammeItem(
            position=2,
            kind=ItemKind.RESTITUTION.value,
            title="Présentation des contributions au secrétaire d'État",
            description=first["format"].strip(),
            ends_at=event.ends_at,
        ),
    ]
    db.session.flush()
    events.publish_event(system, event)
    return event


# Upcoming demonstration events ------------------------------------------------------------------

#: (weeks from the load day, institution, plan, commitment numbers, online, parity, title,
#: description, workshops as (title, capacity, description)).
UPCOMING = (
    {
        "weeks": 3,
        "institution": "ministere-transformation-fonction-publiques",
        "plan": "2021-2023",
        "commitments": (1, 2),
        "venue": "Salle de démonstration, adresse fictive (démonstration)",
        "accessibility": "Exemple de démonstration : salle de plain-pied, boucle magnétique.",
        "online_url": None,
        "parity": False,
        "title": "Ministère ouvert : participation citoyenne et transparence (démonstration)",
        "description": (
            "Événement fictif de démonstration, construit avec le kit « Ministère ouvert ». "
            "Société civile et administration échangent en ateliers sur deux engagements du "
            "plan 2021-2023, puis présentent leurs contributions au ministre."
        ),
        "workshops": (
            (
                "Atelier 1 : faire participer les citoyens",
                20,
                "Engagement 1 : faire participer les citoyens à l'élaboration des politiques "
                "publiques.",
            ),
            (
                "Atelier 2 : transparence de l'action publique",
                20,
                "Engagement 2 : renforcer la transparence de l'action publique.",
            ),
            (
                "Atelier 3 : suivre les engagements",
                15,
                "Comment rendre compte de l'avancement des engagements ?",
            ),
        ),
    },
    {
        "weeks": 6,
        "institution": "ministere-transition-ecologique",
        "plan": "2021-2023",
        "commitments": (4,),
        "venue": None,
        "accessibility": "Exemple de démonstration : sous-titrage en direct.",
        "online_url": "https://visio.example.org/ministere-ouvert-demonstration",
        "parity": True,
        "title": "Forum Open d'État en ligne : transition écologique (démonstration)",
        "description": (
            "Événement fictif de démonstration, en ligne, sur le modèle du Forum Open d'État : "
            "chaque atelier réunit pour moitié des agents publics, pour moitié des membres de "
            "la société civile."
        ),
        "workshops": (
            (
                "Atelier 1 : données climatiques ouvertes",
                24,
                "Quelles données publier, sous quelle forme ?",
            ),
            (
                "Atelier 2 : associer les citoyens",
                24,
                "Consulter et concerter sur la transition écologique.",
            ),
        ),
    },
    {
        "weeks": 9,
        "institution": "anct",
        "plan": "2021-2023",
        "commitments": (3,),
        "venue": "Salle de démonstration, adresse fictive (démonstration)",
        "accessibility": None,
        "online_url": "https://visio.example.org/inclusion-numerique-demonstration",
        "parity": False,
        "title": "Ministère ouvert : inclusion numérique, sur place et en ligne (démonstration)",
        "description": (
            "Événement fictif de démonstration, sur place et retransmis en ligne, sur "
            "l'engagement « Développer une société numérique plus inclusive »."
        ),
        "workshops": (
            ("Atelier 1 : accompagner les usagers", 18, None),
            ("Atelier 2 : les lieux de médiation numérique", 18, None),
        ),
    },
)


def load_upcoming_events(institutions: dict[str, Institution], kit: Kit, today: date) -> list:
    """The made-up upcoming events, built on `kit`, with plenary, workshops and restitution."""
    system = SystemActor()
    made = []
    for row in UPCOMING:
        institution = institutions[row["institution"]]
        day = today + timedelta(weeks=row["weeks"])
        numbers = set(row["commitments"])
        commitments = [c for c in _plan_commitments(row["plan"]) if c.number in numbers]
        event = events.create_event(
            system,
            institution=institution,
            title=row["title"],
            starts_at=_paris(day, "17:00"),
            ends_at=_paris(day, "20:00"),
            description=row["description"],
            venue=row["venue"],
            accessibility_info=row["accessibility"],
            online_url=row["online_url"],
            registration_opens_at=_paris(today, "00:00"),
            registration_closes_at=_paris(day - timedelta(days=1), "12:00"),
            has_waiting_list=True,
            has_parity_quota=row["parity"],
            commitments=commitments,
            kit=kit,
            is_demo=True,
        )
        room = "Salle plénière" if row["venue"] else None
        events.add_item(
            system, event, kind=ItemKind.PLENARY.value, title="Plénière d'ouverture",
            starts_at=_paris(day, "17:00"), ends_at=_paris(day, "17:30"), room=room,
            description="Présentation de la démarche et des engagements (support du kit).",
        )  # fmt: skip
        for number, (title, capacity, description) in enumerate(row["workshops"], start=1):
            events.add_item(
                system, event, kind=ItemKind.WORKSHOP.value, title=title, capacity=capacity,
                starts_at=_paris(day, "17:30"), ends_at=_paris(day, "19:15"),
                room=f"Salle {number}" if row["venue"] else None, description=description,
            )  # fmt: skip
        events.add_item(
            system, event, kind=ItemKind.RESTITUTION.value, title="Restitution au ministre",
            starts_at=_paris(day, "19:15"), ends_at=_paris(day, "20:00"), room=room,
            description="Chaque atelier présente ses contributions.",
        )  # fmt: skip
        events.publish_event(system, event)
        made.append(event)
    return made


def _plan_commitments(plan_slug: str) -> list[Commitment]:
    return list(
        db.session.scalars(
            select(Commitment)
            .join(Plan, Plan.id == Commitment.plan_id)
            .where(Plan.slug == plan_slug)
            .order_by(Commitment.number)
        )
    )


def load_workshops(
    data: dict, institutions: dict[str, Institution], today: date | None = None
) -> str:
    """The kit, the first event and the upcoming ones (dated from `today`, the Paris date by
    default). Returns a summary line."""
    today = today or datetime.now(PARIS).date()
    kit = load_kit(data)
    first = load_first_event(data, institutions)
    upcoming = load_upcoming_events(institutions, kit, today)
    return (
        f"the kit (version {kit.version}, {len(kit.documents)} resources), "
        f"the first event ({len(first.commitments)} commitments) "
        f"and {len(upcoming)} upcoming demonstration events"
    )
