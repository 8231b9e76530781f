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
        "validate": "Validate data", "contribute": "Contribute", "ontology": "Ontology", "download": "Download", "language": "Language",
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
        "translated_by_sikg": "translated by sikg",
    },
    "sv": {
        "site": "Kunskapsgraf om stöd till social innovation", "skip": "Hoppa till innehållet",
        "home": "Start", "browse": "Bläddra bland praktiker", "query": "SPARQL-fråga", "curated": "Färdiga frågor",
        "validate": "Validera data", "contribute": "Bidra", "ontology": "Ontologi", "download": "Ladda ner", "language": "Språk",
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
        "translated_by_sikg": "översatt av sikg",
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


# The contribution form, sign-in and review pages: their words, and how to fix a result in the form's terms ({field}
# is the field's label).
FORM_TEXT = {
    "en": {
        "contribute_title": "Contribute a practice",
        "contribute_intro": "Describe a support practice and the organisation that runs it. The form follows the "
                            "sikg shapes: required fields are marked, and each problem is shown next to its field. "
                            "Preview first to see the data the form makes; a curator reviews it before it is "
                            "published.",
        "required": "required", "recommended": "recommended", "other_languages": "Other languages",
        "one_per_line": "One web address per line.", "choose": "— choose —", "new": "A new one, described below",
        "new_section": "A new {what}", "new_hint": "Only if it is not in the list above.",
        "slug": "Short name in the address", "slug_help": "Lower-case letters, digits and hyphens; made from the "
                "English name if left empty.",
        "links": "Links and why they hold", "entry": "Link {n}", "add_hint": "Preview adds an empty entry for one "
                 "more link.", "preview": "Preview", "submit": "Submit for review",
        "report": "What the check says", "conforms": "The data conforms to the shapes: it can be submitted.",
        "not_conforms": "The data does not conform yet: see the fields marked below.",
        "general": "About the practice as a whole", "turtle": "The data as Turtle", "jsonld": "The data as JSON-LD",
        "fix": "How to fix", "submitted_title": "Thank you: your contribution is in",
        "submitted": "It has the id {id}. Its status: {status}.", "status_link": "Its status page",
        "not_iri": "“{value}” is not a web address: write it in full, starting with https://.",
        "not_choice": "“{value}” is not one of the choices: pick one from the list.",
        "taken": "{iri} is already in the knowledge graph: choose another name, or pick the existing one.",
        "bad_slug": "Use lower-case letters, digits and hyphens only.",
        "sign_in_title": "Sign in", "sign_in_intro": "Sign in with the token a curator gave you. It is kept in "
                         "a cookie of this site only, until you sign out or close the browser.",
        "token": "Token", "sign_in": "Sign in", "sign_out": "Sign out", "signed_in_as": "Signed in as {name}",
        "sign_in_first": "Sign in to contribute.", "bad_token": "This token is not accepted: {message}",
        "review_title": "Contributions to review", "review_intro": "Pending contributions, each as its page "
                        "will look once public. Accept publishes it at once; reject keeps it out for good.",
        "no_pending": "Nothing is waiting for review.", "warnings": "Warnings", "touches": "Already in the "
                      "knowledge graph", "comment": "Comment (the contributor sees it)", "accept": "Accept",
        "reject": "Reject", "submitted_by": "Submitted by {who} on {when}", "curators_only": "Only curators can "
                        "review contributions.",
        "hints": {
            "MinCountConstraintComponent": "Fill in “{field}”.",
            "QualifiedMinCountConstraintComponent": "Fill in “{field}” as the message asks (in English where it "
                                                    "says English).",
            "MaxCountConstraintComponent": "Keep one value in “{field}”.",
            "ClassConstraintComponent": "Pick one from the list for “{field}”, or describe a new one.",
            "InConstraintComponent": "Pick one of the values offered for “{field}”.",
            "NodeKindConstraintComponent": "Write “{field}” as a web address (URL) starting with https://.",
            "PatternConstraintComponent": "Write “{field}” in the form the message describes.",
            "LanguageInConstraintComponent": "Use one of the languages offered for “{field}”.",
            "UniqueLangConstraintComponent": "Keep one text per language in “{field}”.",
            "MinLengthConstraintComponent": "Write a little more in “{field}”.",
            "DatatypeConstraintComponent": "Write “{field}” as a value of the expected kind.",
        },
    },
    "sv": {
        "contribute_title": "Bidra med en praktik",
        "contribute_intro": "Beskriv en stödpraktik och organisationen som driver den. Formuläret följer sikg:s "
                            "regler: obligatoriska fält är markerade, och varje problem visas vid sitt fält. "
                            "Förhandsgranska först för att se datan formuläret gör; en kurator granskar den innan "
                            "den publiceras.",
        "required": "obligatoriskt", "recommended": "rekommenderat", "other_languages": "Andra språk",
        "one_per_line": "En webbadress per rad.", "choose": "— välj —", "new": "En ny, som beskrivs nedan",
        "new_section": "En ny {what}", "new_hint": "Bara om den inte finns i listan ovan.",
        "slug": "Kortnamn i adressen", "slug_help": "Små bokstäver, siffror och bindestreck; görs av det engelska "
                "namnet om fältet lämnas tomt.",
        "links": "Kopplingar och varför de gäller", "entry": "Koppling {n}", "add_hint": "Förhandsgranskningen "
                 "lägger till en tom rad för ytterligare en koppling.", "preview": "Förhandsgranska",
        "submit": "Skicka för granskning",
        "report": "Vad kontrollen säger", "conforms": "Datan uppfyller reglerna: den kan skickas.",
        "not_conforms": "Datan uppfyller inte reglerna än: se de markerade fälten nedan.",
        "general": "Om praktiken som helhet", "turtle": "Datan som Turtle", "jsonld": "Datan som JSON-LD",
        "fix": "Så rättar du", "submitted_title": "Tack: ditt bidrag har kommit in",
        "submitted": "Det har id {id}. Status: {status}.", "status_link": "Bidragets statussida",
        "not_iri": "”{value}” är ingen webbadress: skriv den i sin helhet, med https:// först.",
        "not_choice": "”{value}” är inte ett av valen: välj ett i listan.",
        "taken": "{iri} finns redan i kunskapsgrafen: välj ett annat namn, eller välj den befintliga.",
        "bad_slug": "Använd bara små bokstäver, siffror och bindestreck.",
        "sign_in_title": "Logga in", "sign_in_intro": "Logga in med den token en kurator gav dig. Den sparas i en "
                         "kaka för den här webbplatsen, tills du loggar ut eller stänger webbläsaren.",
        "token": "Token", "sign_in": "Logga in", "sign_out": "Logga ut", "signed_in_as": "Inloggad som {name}",
        "sign_in_first": "Logga in för att bidra.", "bad_token": "Den här token godtas inte: {message}",
        "review_title": "Bidrag att granska", "review_intro": "Bidrag som väntar, vart och ett som dess sida "
                        "kommer att se ut när den är publik. Godkänn publicerar det direkt; avvisa håller det "
                        "borta för gott.",
        "no_pending": "Inget väntar på granskning.", "warnings": "Varningar", "touches": "Finns redan i "
                      "kunskapsgrafen", "comment": "Kommentar (bidragsgivaren ser den)", "accept": "Godkänn",
        "reject": "Avvisa", "submitted_by": "Inskickat av {who} den {when}", "curators_only": "Bara kuratorer "
                        "kan granska bidrag.",
        "hints": {
            "MinCountConstraintComponent": "Fyll i ”{field}”.",
            "QualifiedMinCountConstraintComponent": "Fyll i ”{field}” som meddelandet säger (på engelska där det "
                                                    "står engelska).",
            "MaxCountConstraintComponent": "Behåll ett värde i ”{field}”.",
            "ClassConstraintComponent": "Välj en i listan för ”{field}”, eller beskriv en ny.",
            "InConstraintComponent": "Välj ett av de erbjudna värdena för ”{field}”.",
            "NodeKindConstraintComponent": "Skriv ”{field}” som en webbadress (URL) som börjar med https://.",
            "PatternConstraintComponent": "Skriv ”{field}” i den form meddelandet beskriver.",
            "LanguageInConstraintComponent": "Använd ett av de erbjudna språken för ”{field}”.",
            "UniqueLangConstraintComponent": "Behåll en text per språk i ”{field}”.",
            "MinLengthConstraintComponent": "Skriv lite mer i ”{field}”.",
            "DatatypeConstraintComponent": "Skriv ”{field}” som ett värde av rätt slag.",
        },
    },
}


def form_words(language: str) -> dict:
    """The contribution, sign-in and review pages' words in `language`, English where they are not translated."""
    return FORM_TEXT.get(language, FORM_TEXT["en"])
