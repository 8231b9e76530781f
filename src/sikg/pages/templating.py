"""What every page template can use, whichever route renders it: the site's chrome (the interface language, its
words, links that keep the reader's language), the curated queries for the SPARQL page's script, sikg's prefixes,
and a test for links to the outside."""

from flask import Flask, request

from ..i18n.languages import SUPPORTED_LANGUAGES, choose_ui_language, language_names, match_language
from ..i18n.ui_text import counted, script_words, text
from ..namespaces import PREFIXES
from .browse import query_string


def install(app: Flask) -> None:
    app.context_processor(site_chrome)
    app.add_template_filter(curated_catalogue, "curated_catalogue")
    app.add_template_global(sparql_prefixes, "sparql_prefixes")
    # Links to the outside are made only for web addresses: a contributed <javascript:…> source stays text.
    app.jinja_env.tests["web_url"] = lambda url: isinstance(url, str) and url.lower().startswith(("http://",
                                                                                                   "https://"))


def site_chrome() -> dict:
    """What base.html needs on every page: the interface language and its words, and links that keep the language
    the reader chose."""
    if not request:
        return {}
    language = choose_ui_language(request.args.get("lang"), request.accept_languages)
    # Links keep any language the data has texts in (lang=fr too), not only the interface's two.
    chosen = match_language(request.args.get("lang"), SUPPORTED_LANGUAGES)

    def link(path: str) -> str:
        if not chosen:
            return path
        return f"{path}{'&' if '?' in path else '?'}lang={chosen}"

    def switch(code: str) -> str:
        return request.path + query_string(request.args, lang=code)

    def count(key: str, number: int, **values) -> str:  # a number and what it counts, in the language's plural form
        return counted(language, key, number, **values)

    return {"site": {"lang": language, "t": text(language), "count": count, "link": link, "switch": switch,
                     "languages": language_names(), "path": request.path, "js": script_words(language),
                     "chosen": chosen}}


def curated_catalogue(queries, language: str = "en") -> list[dict]:
    """The curated queries as the SPARQL page's script reads them, titled and described in `language` (English where
    a query has no text in it)."""
    return [{"name": q.name, "title": q.title_in(language), "description": q.description_in(language),
             "title_lang": q.title_language(language), "description_lang": q.description_language(language),
             "text": q.text, "parameters": [p.name for p in q.parameters]} for q in queries]


def sparql_prefixes() -> dict:
    return dict(PREFIXES)
