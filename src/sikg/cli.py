"""The `sikg` command: serve, query, validate, export, load, stats, synth, token, revisions, check-sources.

Each subcommand parses its arguments and calls one module; errors a user can cause are printed as one clear line
with a non-zero exit code, never as a traceback. The environment's settings (settings.py) are read once, at the start,
and are the defaults of the options; an option given on the command line wins. What only one command uses is imported
by that command: every command pays for the imports at the top (`sikg export` of a large KG among them).
"""

import argparse
import dataclasses
import io
import re
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from .contributions.tokens import ROLES, FileTokenRegistry, StoreTokenRegistry, TokenError, check_name, token_file
from .errors import BaseMismatch, StoreUnavailable
from .files import written_atomically
from .formats import DUMP_FORMATS, QUERY_OUTPUTS, by_name
from .namespaces import PREFIXES
from .rdf.exports import ExportRequest, UnknownView, export, offered_formats, read_view
from .rdf.jsonld import ConfusableIri
from .settings import Settings, SettingsError
from .store import open_store, store_kind


def _store_arg(parser: argparse.ArgumentParser, settings: Settings, default: str | None = None) -> None:
    parser.add_argument("--store", default=default if settings.store is None else settings.store,
                        help="memory, a directory (on-disk store) or an http(s) SPARQL endpoint (env SIKG_STORE)")
    parser.add_argument("--update-url", default=settings.store_update,
                        help="an external store's SPARQL Update endpoint (default: beside --store, …/update)")
    parser.add_argument("--store-url", default=settings.store_gsp,
                        help="an external store's Graph Store Protocol endpoint (default: beside --store, …/store)")


def _open(args):
    return open_store(args.store, update_url=args.update_url, store_url=args.store_url,
                      auth_headers=args.settings.store_auth_headers)


def _fail(message: str, code: int) -> int:
    print(f"sikg: {message}", file=sys.stderr)
    return code


def cmd_query(args) -> int:
    from .rdf.results import write_result  # (the query command's own: see the module's docstring)
    from .sparql import queries  # (the query command's own)
    from .sparql.queries import QueryError, run_query  # (the query command's own)
    try:
        if args.name:
            text, bindings = queries.bind(args.name, dict(_pairs(args.param)))
        else:
            text = Path(args.file).read_text(encoding="utf-8") if args.file else args.query
            bindings = {}
        if not text:
            return _fail("give a query, --file F.rq or --name NAME", 2)
        result = run_query(_open(args), text, bindings, prefixes=PREFIXES)
        write_result(result, QUERY_OUTPUTS[args.format], sys.stdout.buffer)
    except (QueryError, queries.UnknownQuery, queries.ParameterError) as error:
        return _fail(f"bad query: {error}", 2)
    except ConfusableIri as error:  # the result exists; JSON-LD with the sikg context cannot hold it
        return _fail(f"{error}; use another --format", 2)
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror}", 2)
    return 0


def _pairs(items):
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(_fail(f"--param takes name=value, got {item!r}", 2))
        yield key, value


def cmd_validate(args) -> int:
    from .progress import Progress  # (validate's, load's and check-sources': see the module's docstring)
    from .rdf.reading import RdfInputError  # (validate's and load's)
    from .validation.shacl import validate_files  # pyshacl and rdflib: slow to import, and only this command needs them
    progress = Progress()  # on a terminal only
    try:
        report = validate_files([Path(f) for f in args.files], progress=progress)
    except RdfInputError as error:
        return _fail(str(error), 2)
    finally:
        progress.done()
    text = {"text": report.to_text, "json": report.to_json, "ttl": report.to_turtle}[args.format]()
    sys.stdout.write(text)
    return 0 if report.conforms else 1


def cmd_export(args) -> int:
    try:  # the same rules as GET /export
        view = read_view(args.frame, "schema.org" if args.schema_org else None)
        wanted = ExportRequest(by_name(args.format, DUMP_FORMATS) if args.format else offered_formats(view)[0], view)
    except UnknownView as error:
        return _fail(str(error), 2)
    store = _open(args)
    try:
        if args.output:
            _export_to_file(store, wanted, Path(args.output))
        else:
            export(store, wanted, sys.stdout.buffer)
    except ConfusableIri as error:
        return _fail(f"{error}; use another --format", 2)
    return 0


def _export_to_file(store, wanted: ExportRequest, path: Path) -> None:
    """Through a temporary file beside `path`, renamed when complete: a failed export never leaves a partial file."""
    with written_atomically(path) as output:
        export(store, wanted, output)


def cmd_load(args) -> int:
    """An on-disk store by the bulk path, swapped in whole (store/bulk.py); memory and an external store through
    the store's own replace_graphs (an external one: the files in chunks, store/upload.py)."""
    from .progress import Progress  # (validate's, load's and check-sources': see the module's docstring)
    from .rdf.reading import RdfInputError  # (validate's and load's)
    from .store.bulk import StoreInUse, load_directory  # (load's own)
    progress, started = Progress(), time.monotonic()  # (the bar on a terminal only)
    try:
        if store_kind(args.store) == "disk":
            loaded = load_directory(Path(args.store), [Path(f) for f in args.files], progress)
            store = _open(args)
        else:
            store = _open(args)
            store.load_curated()
            loaded = store.load_files([Path(f) for f in args.files], progress=progress)
        problem = store.unusable()  # e.g. an external store that ignores the dataset sikg names in its queries
    except RdfInputError as error:
        return _fail(str(error), 2)
    except (StoreUnavailable, StoreInUse) as error:
        return _fail(str(error), 3)
    except BaseMismatch as error:
        return _fail(str(error), 2)
    finally:
        progress.done()
    if problem:
        return _fail(problem, 2)
    for graph, count in loaded.items():
        print(f"{graph}: {count} triples")
    seconds = time.monotonic() - started
    if loaded:
        print(f"loaded {sum(loaded.values())} triples in {seconds:.1f} s "
              f"({sum(loaded.values()) / seconds:,.0f} quads/s)")
    print(f"store holds {len(store)} quads in {len(store.named_graphs())} named graphs")
    return 0


def cmd_template(args) -> int:
    """The spreadsheet template, as GET /contribute/template.{xlsx,csv,csv-metadata.json} gives it."""
    from .contributions.spreadsheet import template_file  # openpyxl and the form: only this command needs them
    body, _, _ = template_file(_open(args), args.lang, args.format, args.example,
                               f"{Path(args.output).stem if args.output else 'template'}.csv")
    if not args.output:
        sys.stdout.buffer.write(body)
        return 0
    try:
        with written_atomically(Path(args.output)) as output:
            output.write(body)
    except OSError as error:
        return _fail(f"cannot write {args.output}: {error.strerror}", 2)
    return 0


def cmd_stats(args) -> int:
    from .stats import compute_stats, render_stats  # (the stats command's own: see the module's docstring)
    sys.stdout.write(render_stats(compute_stats(_open(args))))
    return 0


def cmd_synth(args) -> int:
    from .synth import write_synthetic  # (the synth command's own: see the module's docstring)
    if args.output:
        with open(args.output, "wb") as output:
            count = write_synthetic(output, args.practices, args.seed)
        print(f"{count} triples, {args.practices} practices -> {args.output}", file=sys.stderr)
    else:
        write_synthetic(sys.stdout.buffer, args.practices, args.seed)
    return 0


def cmd_serve(args) -> int:
    from .server import serve  # granian and the Flask app: slow to import, and only this command needs them
    # The environment's settings with the command line's choices, which win.
    return serve(dataclasses.replace(args.settings, host=args.host, port=args.port, workers=args.workers,
                                     processes=args.processes, access_log=args.access_log, store=args.store,
                                     store_update=args.update_url, store_gsp=args.store_url,
                                     review=args.review))


NO_REVIEW = "publish a conforming contribution at once, with no curator's review (env SIKG_REVIEW=0)"


def _registry(args):
    """The registry of --store, reached without opening an on-disk store (the serving process holds its lock)."""
    kind = store_kind(args.store)
    if kind == "memory":
        raise SystemExit(_fail("an in-memory store keeps no tokens; give --store DIR or an external store's URL", 2))
    if kind == "external":
        return StoreTokenRegistry(_open(args))
    if not Path(args.store).is_dir():
        print(f"sikg: note: there is no store at {args.store} yet; its tokens are kept beside it all the same",
              file=sys.stderr)
    return FileTokenRegistry(token_file(args.store))


def cmd_token(args) -> int:
    """add: the new token alone on standard output; revoke; list: name, role, created, revoked (never a token)."""
    try:
        if args.action == "list":
            _print_tokens(_registry(args).entries())
        elif args.action == "add":
            check_name(args.name, args.role)
            print(_registry(args).add(args.name, args.role))
        elif not _registry(args).revoke(args.name):
            return _fail(f"no active token for {args.name!r}", 1)
    except TokenError as error:
        return _fail(str(error), 2)
    except StoreUnavailable as error:
        return _fail(str(error), 3)
    except OSError as error:  # the token file's directory cannot be written, say
        return _fail(f"cannot keep the tokens at {error.filename}: {error.strerror}", 2)
    return 0


def cmd_revisions(args) -> int:
    """export: each revised resource's current description, as Turtle, with the data file that holds its old one."""
    from .pages import history  # (the revisions command's own: see the module's docstring)
    from .rdf import content  # (the revisions command's own)
    try:
        revised = history.revised_descriptions(_open(args))
    except StoreUnavailable as error:
        return _fail(str(error), 3)
    out = io.BytesIO()
    out.write(b"# The current description of every practice and organisation a curator accepted a revision of\n"
              b"# (sikg revisions export). To fold them into the release: replace each one's description in the\n"
              b"# file named below with this one, then sikg validate data/*.ttl.\n")
    for iri, number, triples in revised:
        files = [str(p.relative_to(content.home())) for p in [*content.data_files(), *content.translation_files()]
                 if _names(p, iri)]
        where = f"replaces its description in {', '.join(files)}" if files else "new: in no data file yet"
        out.write(f"\n# <{iri}> version {number}: {where}\n".encode())
        out.write(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) if triples else
                  b"# (no description: withdrawn)\n")
    try:
        _write_output(args.output, out.getvalue())
    except OSError as error:
        return _fail(f"cannot write {args.output}: {error.strerror}", 2)
    print(f"{len(revised)} revised resource(s)", file=sys.stderr)
    return 0


def _names(path: Path, iri: str) -> bool:
    """Whether a data file describes the resource: a line starts with it (in full or by sikg's prefix)."""
    text = path.read_text(encoding="utf-8")
    short = next((f"{p}:{iri[len(ns):]}" for p, ns in PREFIXES.items() if iri.startswith(ns) and p in
                  ("practice", "organisation")), None)
    subject = rf"(<{re.escape(iri)}>{'|' + re.escape(short) if short else ''})"
    return bool(re.search(rf"^{subject}\s", text, re.M))  # the resource as a subject, at the start of a line


def cmd_check_sources(args) -> int:
    """Fetches every page the evidence cites (the only command that connects out); exit 0 if every quotation is
    found where the data says, 1 if any is not."""
    from . import check_sources  # urllib and the fetching: only this command, run by a curator, needs them
    from .progress import Progress  # (validate's, load's and check-sources': see the module's docstring)
    if args.timeout <= 0 or not 1 <= args.concurrency <= 16:
        return _fail("--timeout must be above 0 and --concurrency from 1 to 16", 2)
    store = _open(args)
    if args.only and not check_sources.practice_exists(store, args.only):
        return _fail(f"no practice {args.only!r} in the store (--only takes a practice's slug, as in its IRI)", 2)
    progress = Progress()  # on a terminal only
    try:
        report = check_sources.run(store, timeout=args.timeout, concurrency=args.concurrency, only=args.only,
                                   progress=lambda done, total: progress.advance("fetching", done, total, "pages"))
    finally:
        progress.done()
    as_json = args.json or args.format == "json"
    sys.stdout.write(check_sources.to_json(report) if as_json else check_sources.to_text(report))
    return 0 if check_sources.all_found(report) else 1


def _write_output(output: str | None, data: bytes) -> None:
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _print_tokens(entries) -> None:
    rows = [("name", "role", "created", "revoked")] + [(e.name, e.role, e.created, e.revoked or "") for e in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def _export_parser(sub, settings: Settings) -> None:
    p = sub.add_parser("export", help="dump the whole KG")
    p.add_argument("--format", choices=[f.name for f in DUMP_FORMATS],
                   help="default: ttl, or jsonld with --frame (the only format of the frame)")
    p.add_argument("--frame", metavar="practices",
                   help="the framed view: a JSON-LD document whose graph is the array of practices, each nested "
                        "with its elements, methods, organisations, country, level and sources")
    p.add_argument("--schema-org", action="store_true", help="the schema.org view of the practices")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    _store_arg(p, settings)
    p.set_defaults(func=cmd_export)


class _PageLanguages:
    """The interface's languages as argparse's choices, read from the catalogues only when asked (the template
    command's --lang): reading them is 15 ms of every other command's start, `sikg export` among them."""

    def _languages(self) -> tuple[str, ...]:
        from .i18n.languages import PAGE_LANGUAGES  # when asked: see the docstring
        return PAGE_LANGUAGES

    def __contains__(self, language) -> bool:
        return language in self._languages()

    def __iter__(self):
        return iter(self._languages())


def _template_parser(sub, settings: Settings) -> None:
    p = sub.add_parser("template", help="the spreadsheet template made from the shapes, for contributing practices")
    p.add_argument("--format", choices=["xlsx", "csv", "csvw"], default="xlsx",
                   help="an XLSX workbook, CSV, or the CSV's CSVW metadata (.csv-metadata.json)")
    # LANG as the metavar: else argparse lists the choices, read from the catalogues, as the parser is made
    p.add_argument("--lang", choices=_PageLanguages(), default="en", metavar="LANG",
                   help="the language of its headings: %(choices)s")
    p.add_argument("--example", action="store_true", help="row 2 holds the example practice")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    _store_arg(p, settings)
    p.set_defaults(func=cmd_template)


def _token_parser(sub, settings: Settings) -> None:
    p = sub.add_parser("token", help="the people who may contribute or curate: add, revoke, list their tokens")
    actions = p.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="make a token for a person and print it, once, alone on standard output")
    add.add_argument("name", help="the person: 1-64 letters, digits, spaces or . _ - @")
    add.add_argument("--role", choices=ROLES, required=True)
    revoke = actions.add_parser("revoke", help="revoke a person's token (it stops working within seconds)")
    revoke.add_argument("name")
    listing = actions.add_parser("list", help="the people, their roles and dates (never a token)")
    for action in (add, revoke, listing):
        _store_arg(action, settings, default="var/store")
        action.set_defaults(func=cmd_token)


def _revisions_parser(sub, settings: Settings) -> None:
    p = sub.add_parser("revisions", help="the accepted revisions: export them to fold them back into data/*.ttl")
    actions = p.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="each revised resource's current description, as Turtle, naming "
                                               "the data file its old description is in")
    export.add_argument("-o", "--output", help="write to this file instead of standard output")
    _store_arg(export, settings, default="var/store")
    export.set_defaults(func=cmd_revisions)


def _check_sources_parser(sub, settings: Settings) -> None:
    p = sub.add_parser("check-sources", help="fetch every page the evidence cites and report, per record, whether its "
                                             "quotation is still there (the one command that uses the network)")
    p.add_argument("--json", action="store_true", help="the report as JSON (the same as --format json)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="a readable report (default) or JSON")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for a page's server (default 20)")
    p.add_argument("--concurrency", type=int, default=4,
                   help="hosts fetched at once (default 4); one page at a time from any one host")
    p.add_argument("--only", metavar="SLUG", help="only the records of this practice (its slug, e.g. seal)")
    _store_arg(p, settings)
    p.set_defaults(func=cmd_check_sources)


class _PrintVersion(argparse.Action):
    """`--version`: argparse's own action wants the text when the parser is made, and reading the package's version
    then would cost every command importlib.metadata (sikg/__init__.py)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0,
                         help="show sikg's version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__  # (read only when asked: see above)
        print(f"sikg {__version__}")  # on standard output, as argparse's own
        parser.exit()


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    """The command line, its defaults taken from `settings` (default: the environment's)."""
    settings = Settings.from_environment() if settings is None else settings
    parser = argparse.ArgumentParser(prog="sikg", description="Social Innovation Support Knowledge Graph")
    parser.add_argument("--version", action=_PrintVersion)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the HTTP service")
    p.add_argument("--host", default=settings.host)
    p.add_argument("--port", type=int, default=settings.port)
    p.add_argument("--workers", type=int, default=settings.workers, help="threads answering requests")
    p.add_argument("--processes", type=int, default=settings.processes,
                   help="worker processes (env SIKG_PROCESSES; default: one per core, one over the in-memory "
                        "store); over the on-disk store, one more process writes to it for them all; over the "
                        "in-memory one, more than one needs contributions off")
    p.add_argument("--access-log", action="store_true", default=settings.access_log,
                   help="log every request to standard output (env SIKG_ACCESS_LOG=1)")
    p.add_argument("--no-review", dest="review", action="store_false", default=settings.review, help=NO_REVIEW)
    _store_arg(p, settings, default="var/store")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("query", help="run a SPARQL query over the KG")
    p.add_argument("query", nargs="?", help="the SPARQL query text")
    p.add_argument("--file", help="read the query from a .rq file")
    p.add_argument("--name", help="run a curated query from queries/ by name")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter of a curated query")
    p.add_argument("--format", choices=list(QUERY_OUTPUTS), default="table")
    _store_arg(p, settings)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("validate", help="SHACL-validate RDF files against the sikg shapes")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["text", "json", "ttl"], default="text")
    p.set_defaults(func=cmd_validate)

    _export_parser(sub, settings)

    p = sub.add_parser("load", help="(re)load the ontology and curated data, and any FILEs, into a store")
    p.add_argument("files", nargs="*", metavar="FILE")
    _store_arg(p, settings)
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("synth",
                       help="deterministic synthetic practices in the real ontology (N-Triples), for benchmarks")
    p.add_argument("--practices", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_synth)

    _template_parser(sub, settings)
    p = sub.add_parser("stats", help="triples, practices per country and element")
    _store_arg(p, settings)
    p.set_defaults(func=cmd_stats)

    _token_parser(sub, settings)
    _revisions_parser(sub, settings)
    _check_sources_parser(sub, settings)
    return parser


def main(argv=None) -> int:
    try:
        settings = Settings.from_environment()
        args = build_parser(settings).parse_args(argv)
        args.settings = settings
        return args.func(args)
    except SettingsError as error:
        return _fail(str(error), 2)
    except StoreUnavailable as error:  # any command over a store that does not answer: one line, never a traceback
        return _fail(str(error), 3)
    except BrokenPipeError:  # `sikg export | head` is fine
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
