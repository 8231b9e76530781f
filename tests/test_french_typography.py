"""French typography in the French texts sikg writes (issue 27, item 6): a narrow no-break space (U+202F) before
":", ";", "?" and "!" used as punctuation and inside « », never a plain space, a wide no-break space or none. Checked
in the French catalogue, the French texts of the shapes (their messages), the French translations of the data and the
curated queries' French titles and descriptions (the practices' quotations are verbatim and are not here)."""

import re

import pyoxigraph as ox
import pytest
from babel.messages.pofile import read_po

from sikg.i18n import ui_text

ROOT = ui_text.LOCALES.parents[3]
NARROW = "\u202f"
# Punctuation is followed by a space, a closing mark or the end; "rdf:type", "https://" and "?lang=" are not.
AFTER = r"(?=[\s\"')\]»]|$)"
WRONG = {
    "a plain or wide space before : ; ? !": re.compile(r"[ \u00a0][:;?!]" + AFTER),
    "no space before ; ? !": re.compile(r"[\w)»][;?!]" + AFTER),
    "no space before a colon": re.compile(r"[^\W\d_][:]" + r"(?=\s|$)"),
    "« not followed by a narrow no-break space": re.compile(r"«(?!\u202f)"),
    "» not preceded by a narrow no-break space": re.compile(r"(?<!\u202f)»"),
}


def mistakes(text: str) -> list[str]:
    return [f"{name}: …{text[max(m.start() - 20, 0):m.end() + 5]}…" for name, rule in WRONG.items()
            for m in rule.finditer(text)]


def french_catalogue_texts() -> list[tuple[str, str]]:
    with ui_text.catalogue_path("fr").open("rb") as file:
        catalogue = read_po(file)
    return [(m.context, s) for m in catalogue if m.id
            for s in (m.string if isinstance(m.string, (tuple, list)) else (m.string,))]


def french_literals(path) -> list[tuple[str, str]]:
    quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    return [(q.subject.value if hasattr(q.subject, "value") else str(q.subject), q.object.value) for q in quads
            if isinstance(q.object, ox.Literal) and q.object.language == "fr"]


def test_the_rule_sees_each_kind_of_mistake():
    assert mistakes("Envoi : fini") and mistakes("Envoi\u00a0: fini") and mistakes("Envoi: fini")
    assert mistakes("Vraiment ?") and mistakes("oui; non") and mistakes("« mot »") and mistakes("«\u202fmot»")
    assert not mistakes(f"Envoi{NARROW}: fini{NARROW}; «{NARROW}mot{NARROW}» rdf:type https://x.org/?lang=fr")


def test_the_french_catalogue_uses_narrow_no_break_spaces():
    found = [(key, m) for key, text in french_catalogue_texts() for m in mistakes(text)]
    assert not found, found[:10]


@pytest.mark.parametrize("path", [*sorted((ROOT / "shapes").glob("*.ttl")), ROOT / "data" / "translations" / "fr.ttl"],
                         ids=lambda p: p.name)
def test_the_french_shape_messages_and_translations_use_narrow_no_break_spaces(path):
    texts = french_literals(path)
    assert len(texts) > 20 or path.name != "messages-fr.ttl" and "translations" not in str(path)
    found = [(subject, m) for subject, text in texts for m in mistakes(text)]
    assert not found, found[:10]


def test_the_curated_queries_french_texts_use_narrow_no_break_spaces():
    texts = [(path.name, line.split(":", 1)[1].strip()) for path in sorted((ROOT / "queries").glob("*.rq"))
             for line in path.read_text(encoding="utf-8").splitlines()
             if re.match(r"# (title|description)@fr:", line)]
    assert len(texts) > 20
    found = [(name, m) for name, text in texts for m in mistakes(text)]
    assert not found, found[:10]
