"""Templates hold nothing the Content-Security-Policy would block: no inline script or style."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
PROBLEMS = {
    "inline <script> block": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
}
ATTRIBUTE_PROBLEMS = {
    "on*= event attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "javascript: address": re.compile(r"=\s*[\"']?\s*javascript:", re.IGNORECASE),
}


def problems_in(source: str) -> list[str]:
    found = [name for name, pattern in PROBLEMS.items() if pattern.search(source)]
    for tag in TAG.findall(source):
        found.extend(name for name, pattern in ATTRIBUTE_PROBLEMS.items() if pattern.search(tag))
    return found


def html_templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_there_are_templates_to_check():
    assert len(html_templates()) >= 10


@pytest.mark.parametrize(
    ("snippet", "problem"),
    [
        ("<script>alert(1)</script>", "inline <script> block"),
        ('<script type="module">import "x"</script>', "inline <script> block"),
        ("<style>p { color: red }</style>", "<style> block"),
        ('<button onclick="go()">', "on*= event attribute"),
        ('<body\n  onload="go()">', "on*= event attribute"),
        ('<p style="color: red">', "style= attribute"),
        ('<a href="javascript:go()">', "javascript: address"),
    ],
)
def test_the_scan_finds_each_kind_of_problem(snippet, problem):
    assert problems_in(snippet) == [problem]


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/consult.js" defer></script>',
        '<script type="module" src="{{ asset_url(\'x.js\') }}"></script>',
        '<p class="fr-text--lead" data-onload="x">Le style et onze</p>',
        '<input name="stylesheet" data-fr-js="true">',
    ],
)
def test_the_scan_accepts_external_scripts_and_lookalikes(snippet):
    assert problems_in(snippet) == []


@pytest.mark.parametrize("template", html_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_inline_script_event_attribute_or_style(template):
    assert problems_in(template.read_text(encoding="utf-8")) == []
