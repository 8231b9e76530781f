"""The words of the pages for people, in English and Swedish: the interface's strings, the hints on how to fix a
validation result, and what the validation page's script needs to write its report in the same words.

The data's own texts (labels, descriptions) are not here: they come from the store, in the reader's language
(languages.py).
"""

from .namespaces import PREFIXES

TEXT = {
    "en": {
        "site": "Social Innovation Support Knowledge Graph", "skip": "Skip to content",
        "home": "Home", "browse": "Browse practices", "query": "SPARQL query", "curated": "Curated queries",
        "validate": "Validate data", "ontology": "Ontology", "download": "Download", "language": "Language",
        "home_title": "Support for social innovation in Europe",
        "home_intro": "{practices} practices from {countries} countries that support social innovation, mapped by "
                      "the BuiCaSuS project, linked to the five elements of the social innovation process and the "
                      "support methods under each.",
        "search": "Search practices", "search_button": "Search", "search_hint": "Words in any language, e.g. "
                  "financing, Mobilisering, accompagnement",
        "process": "The social innovation process", "process_note": "The elements are numbered for display; they "
                   "repeat and interweave rather than follow one another.",
        "practices_n": "{n} practices", "practice_1": "1 practice", "methods": "Support methods",
        "chart_title": "Practices per process element and country",
        "chart_desc": "Number of practices supporting each element, one bar per country. A practice can support "
                      "several elements.",
        "chart_table": "The chart's numbers as a table", "chart_svg": "Download the chart (SVG)",
        "element": "Process element", "method": "Support method", "country": "Country",
        "actor-type": "Actor type", "level": "Level",
        "do": "What you can do", "do_browse": "Browse and filter the practices by element, method, country, "
              "actor type and level.",
        "do_query": "Ask your own question in SPARQL, or run one of the curated queries.",
        "do_validate": "Check an RDF file against the sikg shapes before you send it.",
        "do_download": "The whole knowledge graph:",
        "do_ontology": "The classes and properties of the sikg ontology.",
        "browse_title": "Practices", "filters": "Filters", "apply": "Apply filters", "clear_all": "Clear all",
        "results": "{n} of {total} practices", "no_results": "No practice matches. Remove a filter or change "
                   "the words.", "remove": "Remove filter", "active": "Active filters",
        "search_for": "Search for", "jsonld": "This list as JSON-LD", "operated_by": "Operated by",
        "any_of": "Within one group, a practice matching any ticked value is shown; groups combine.",
        "validate_title": "Validate RDF data",
        "validate_intro": "Paste RDF or choose a file. It is checked against the sikg SHACL shapes, with the "
                          "ontology and the resources already in the knowledge graph as context. Nothing is stored.",
        "paste": "Paste RDF", "syntax": "Syntax of the pasted text", "or_file": "…or upload a file",
        "file_hint": "Syntax by extension: .ttl .nt .nq .trig .jsonld .rdf", "check": "Validate",
        "report": "Report", "conforms": "The data conforms: no violations.",
        "conforms_warnings": "The data conforms, with {w} warning(s).",
        "not_conforms": "The data does not conform: {v} violation(s), {w} warning(s).",
        "what": "What", "where": "Where", "fix": "How to fix", "value": "value",
        "download_report": "Download the report", "unreadable": "The data could not be read",
        "line": "line {line}, column {column}", "fix_syntax": "Correct the syntax at that place; the parser "
        "stops at the first error.", "template": "A complete example practice:",
        "nothing_sent": "Paste some RDF or choose a file first.", "checking": "Checking…",
        "sparql_title": "SPARQL query", "run": "Run query", "result_format": "Download format",
        "editor_help": "Ctrl-Enter runs the query; Tab leaves the editor.",
        "footer": "Data: BuiCaSuS good examples (2022), curated with sources. Software: MIT licence.",
    },
    "sv": {
        "site": "Kunskapsgraf om stöd till social innovation", "skip": "Hoppa till innehållet",
        "home": "Start", "browse": "Bläddra bland praktiker", "query": "SPARQL-fråga", "curated": "Färdiga frågor",
        "validate": "Validera data", "ontology": "Ontologi", "download": "Ladda ner", "language": "Språk",
        "home_title": "Stöd till social innovation i Europa",
        "home_intro": "{practices} praktiker från {countries} länder som stödjer social innovation, kartlagda av "
                      "projektet BuiCaSuS, kopplade till den sociala innovationsprocessens fem element och "
                      "stödmetoderna under varje element.",
        "search": "Sök praktiker", "search_button": "Sök", "search_hint": "Ord på valfritt språk, t.ex. "
                  "financing, Mobilisering, accompagnement",
        "process": "Den sociala innovationsprocessen", "process_note": "Elementen är numrerade för visning; de "
                   "upprepas och flätas samman snarare än följer på varandra.",
        "practices_n": "{n} praktiker", "practice_1": "1 praktik", "methods": "Stödmetoder",
        "chart_title": "Praktiker per processelement och land",
        "chart_desc": "Antal praktiker som stödjer varje element, en stapel per land. En praktik kan stödja "
                      "flera element.",
        "chart_table": "Diagrammets siffror som tabell", "chart_svg": "Ladda ner diagrammet (SVG)",
        "element": "Processelement", "method": "Stödmetod", "country": "Land", "actor-type": "Aktörstyp",
        "level": "Nivå",
        "do": "Det här kan du göra", "do_browse": "Bläddra bland och filtrera praktikerna efter element, metod, "
              "land, aktörstyp och nivå.",
        "do_query": "Ställ egna frågor i SPARQL, eller kör en av de färdiga frågorna.",
        "do_validate": "Kontrollera en RDF-fil mot sikg:s regler innan du skickar den.",
        "do_download": "Hela kunskapsgrafen:",
        "do_ontology": "Klasserna och egenskaperna i sikg-ontologin.",
        "browse_title": "Praktiker", "filters": "Filter", "apply": "Filtrera", "clear_all": "Rensa alla",
        "results": "{n} av {total} praktiker", "no_results": "Ingen praktik matchar. Ta bort ett filter eller "
                   "ändra orden.", "remove": "Ta bort filter", "active": "Aktiva filter",
        "search_for": "Sökord", "jsonld": "Listan som JSON-LD", "operated_by": "Drivs av",
        "any_of": "Inom en grupp visas praktiker som matchar något av de valda värdena; grupperna kombineras.",
        "validate_title": "Validera RDF-data",
        "validate_intro": "Klistra in RDF eller välj en fil. Den kontrolleras mot sikg:s SHACL-regler, med "
                          "ontologin och resurserna som redan finns i kunskapsgrafen som sammanhang. Inget sparas.",
        "paste": "Klistra in RDF", "syntax": "Syntax för den inklistrade texten", "or_file": "…eller ladda upp "
        "en fil", "file_hint": "Syntax efter filändelse: .ttl .nt .nq .trig .jsonld .rdf", "check": "Validera",
        "report": "Rapport", "conforms": "Datan uppfyller reglerna: inga fel.",
        "conforms_warnings": "Datan uppfyller reglerna, med {w} varning(ar).",
        "not_conforms": "Datan uppfyller inte reglerna: {v} fel, {w} varning(ar).",
        "what": "Vad", "where": "Var", "fix": "Så rättar du", "value": "värde",
        "download_report": "Ladda ner rapporten", "unreadable": "Datan kunde inte läsas",
        "line": "rad {line}, kolumn {column}", "fix_syntax": "Rätta syntaxen på det stället; tolken stannar vid "
        "första felet.", "template": "En komplett exempelpraktik:",
        "nothing_sent": "Klistra in RDF eller välj en fil först.", "checking": "Kontrollerar…",
        "sparql_title": "SPARQL-fråga", "run": "Kör frågan", "result_format": "Format att ladda ner",
        "editor_help": "Ctrl-Enter kör frågan; Tab lämnar redigeraren.",
        "footer": "Data: BuiCaSuS goda exempel (2022), kurerade med källor. Programvara: MIT-licens.",
    },
}

# How to fix a result, by the SHACL constraint component that produced it ({path} and {focus} are filled in).
FIX_HINTS = {
    "en": {
        "MinCountConstraintComponent": "Add a {path} statement to {focus}.",
        "QualifiedMinCountConstraintComponent": "Add a {path} value of the kind the message names to {focus}.",
        "MaxCountConstraintComponent": "Keep one {path} value on {focus} and remove the others.",
        "QualifiedMaxCountConstraintComponent": "Remove the extra {path} values from {focus}.",
        "ClassConstraintComponent": "Point {path} at a resource of the expected class: an existing sikg resource "
                                    "(see Browse) or one your file describes with its rdf:type.",
        "InConstraintComponent": "Use one of the allowed values for {path}: the concepts of the sikg schemes "
                                 "(see the Ontology page).",
        "NodeKindConstraintComponent": "Give {path} an IRI in angle brackets, not a text in quotes.",
        "DatatypeConstraintComponent": "Give {path} a value of the expected datatype.",
        "LanguageInConstraintComponent": "Tag the text of {path} with one of the allowed languages (e.g. @en, @sv).",
        "UniqueLangConstraintComponent": "Keep one {path} per language on {focus}.",
        "PatternConstraintComponent": "Write the value of {path} in the form the message describes.",
        "MinLengthConstraintComponent": "Write a longer value for {path}.",
        "SPARQLConstraintComponent": "Check the spelling against the ontology; only its classes and properties "
                                     "are known.",
        "": "Do what the message says; data/templates/practice.ttl shows a complete practice.",
    },
    "sv": {
        "MinCountConstraintComponent": "Lägg till ett {path}-påstående för {focus}.",
        "QualifiedMinCountConstraintComponent": "Lägg till ett {path}-värde av det slag meddelandet nämner för "
                                                "{focus}.",
        "MaxCountConstraintComponent": "Behåll ett {path}-värde för {focus} och ta bort de andra.",
        "QualifiedMaxCountConstraintComponent": "Ta bort de extra {path}-värdena från {focus}.",
        "ClassConstraintComponent": "Låt {path} peka på en resurs av rätt klass: en befintlig sikg-resurs eller "
                                    "en som din fil beskriver med rdf:type.",
        "InConstraintComponent": "Använd ett av de tillåtna värdena för {path}: begreppen i sikg:s "
                                 "begreppssystem (se Ontologi).",
        "NodeKindConstraintComponent": "Ge {path} en IRI inom vinkelparenteser, inte en text inom citattecken.",
        "DatatypeConstraintComponent": "Ge {path} ett värde av rätt datatyp.",
        "LanguageInConstraintComponent": "Märk texten i {path} med ett av de tillåtna språken (t.ex. @en, @sv).",
        "UniqueLangConstraintComponent": "Behåll ett {path} per språk för {focus}.",
        "PatternConstraintComponent": "Skriv värdet för {path} i den form meddelandet beskriver.",
        "MinLengthConstraintComponent": "Skriv ett längre värde för {path}.",
        "SPARQLConstraintComponent": "Kontrollera stavningen mot ontologin; bara dess klasser och egenskaper "
                                     "är kända.",
        "": "Gör det meddelandet säger; data/templates/practice.ttl visar en komplett praktik.",
    },
}


def text(language: str) -> dict:
    """The interface's words in `language`, English where the interface does not speak it."""
    return TEXT.get(language, TEXT["en"])


def client_strings(language: str) -> dict:
    """What the validation page's script needs to write the same report as the server does."""
    words = text(language)
    keys = ("conforms", "conforms_warnings", "not_conforms", "what", "where", "fix", "value", "unreadable", "line",
            "fix_syntax", "download_report", "nothing_sent", "checking", "report")
    return {"text": {k: words[k] for k in keys}, "hints": FIX_HINTS.get(language, FIX_HINTS["en"]),
            "prefixes": dict(sorted(PREFIXES.items(), key=lambda p: -len(p[1])))}


# The resource and ontology pages' own headings.
RESOURCE_PAGE = {
    "en": {"formats": "Formats", "language": "Language", "why": "Why these links", "source": "source",
           "sources": "Sources"},
    "sv": {"formats": "Format", "language": "Språk", "why": "Varför dessa kopplingar", "source": "källa",
           "sources": "Källor"},
}


def resource_words(language: str) -> dict:
    return RESOURCE_PAGE.get(language, RESOURCE_PAGE["en"])
