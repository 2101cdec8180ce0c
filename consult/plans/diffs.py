"""Readable comparison of two versions of a text, word by word."""

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Segment:
    kind: str  # "same", "added" or "removed"
    text: str


def word_diff(old: str | None, new: str | None) -> list[Segment]:
    """Segments that, read in order, show `old` turning into `new`."""
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            segments.append(Segment("same", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            segments.append(Segment("removed", "".join(before[a1:a2])))
        if b2 > b1:
            segments.append(Segment("added", "".join(after[b1:b2])))
    return segments


@dataclass
class FieldDiff:
    name: str
    segments: list[Segment]

    @property
    def changed(self) -> bool:
        return any(s.kind != "same" for s in self.segments)


def compare_texts(old: dict, new: dict, fields) -> list[FieldDiff]:
    """One diff per field that changed between two revisions' texts."""
    diffs = [FieldDiff(name, word_diff(old.get(name), new.get(name))) for name in fields]
    return [d for d in diffs if d.changed]
