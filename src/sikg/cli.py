"""The `sikg` command: serve, query, validate, export, load, stats.

Each subcommand parses its arguments and calls one module; errors a user can cause are printed as one clear line
with a non-zero exit code, never as a traceback.
"""

import argparse
import os
import sys
from pathlib import Path


from . import __version__
from .jsonld import ConfusableIri
from .exports import export
from .rdf_input import RdfInputError
from .formats import DUMP_FORMATS, QUERY_OUTPUTS, by_name
from .sparql import QueryError, run_query, write_result

def _store_arg(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    parser.add_argument("--store", default=os.environ.get("SIKG_STORE", default),
                        help="memory, a directory (on-disk store) or an http(s) SPARQL endpoint (env SIKG_STORE)")
    parser.add_argument("--update-url", default=os.environ.get("SIKG_STORE_UPDATE"),
                        help="an external store's SPARQL Update endpoint (default: beside --store, …/update)")
    parser.add_argument("--store-url", default=os.environ.get("SIKG_STORE_GSP"),
                        help="an external store's Graph Store Protocol endpoint (default: beside --store, …/store)")


def _store_auth_headers() -> dict:  # until Settings carries it
    from .store.remote import store_auth_headers
    return store_auth_headers(os.environ.get("SIKG_STORE_TOKEN"), os.environ.get("SIKG_STORE_USER"),
                              os.environ.get("SIKG_STORE_PASSWORD"))


def _open(args):
    from .store import open_store
    return open_store(args.store, update_url=args.update_url, store_url=args.store_url,
                      auth_headers=_store_auth_headers())


def _fail(message: str, code: int) -> int:
    print(f"sikg: {message}", file=sys.stderr)
    return code


def cmd_query(args) -> int:
    from . import queries
    from .namespaces import PREFIXES
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
    from .validation import validate_files
    try:
        report = validate_files([Path(f) for f in args.files])
    except RdfInputError as error:
        return _fail(str(error), 2)
    text = {"text": report.to_text, "json": report.to_json, "ttl": report.to_turtle}[args.format]()
    sys.stdout.write(text)
    return 0 if report.conforms else 1


def cmd_export(args) -> int:
    from .exports import ExportRequest, UnknownView, offered_formats, read_view
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


def _export_to_file(store, wanted, path: Path) -> None:
    """Through a temporary file beside `path`, renamed when complete: a failed export never leaves a partial file."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with open(temporary, "wb") as output:
            export(store, wanted, output)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _progress(label: str, done: int, total: int) -> None:
    """A progress bar on standard error for big uploads (only when it is a terminal, or asked for)."""
    if total < 4 * 1024 * 1024:
        return
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r{label.rsplit('/', 1)[-1]} [{'#' * filled}{'.' * (width - filled)}] "
                     f"{done // 1048576}/{total // 1048576} MiB")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_load(args) -> int:
    from .store.errors import BaseMismatch, StoreUnavailable
    store = _open(args)
    try:
        store.load_curated()
        loaded = store.load_files([Path(f) for f in args.files], progress=_progress)
    except RdfInputError as error:
        return _fail(str(error), 2)
    except StoreUnavailable as error:
        return _fail(str(error), 3)
    except BaseMismatch as error:
        return _fail(str(error), 2)
    for graph, count in loaded.items():
        print(f"{graph}: {count} triples")
    print(f"store holds {len(store)} quads in {len(store.named_graphs())} named graphs")
    return 0


def cmd_stats(args) -> int:
    from .stats import compute_stats, render_stats
    sys.stdout.write(render_stats(compute_stats(_open(args))))
    return 0


def cmd_synth(args) -> int:
    from .synth import write_synthetic
    if args.output:
        with open(args.output, "wb") as output:
            count = write_synthetic(output, args.practices, args.seed)
        print(f"{count} triples, {args.practices} practices -> {args.output}", file=sys.stderr)
    else:
        write_synthetic(sys.stdout.buffer, args.practices, args.seed)
    return 0


def cmd_serve(args) -> int:
    from .server import serve
    return serve(host=args.host, port=args.port, store=args.store, update_url=args.update_url,
                 store_url=args.store_url, workers=args.workers, access_log=args.access_log, processes=args.processes,
                 auth_headers=_store_auth_headers())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sikg", description="Social Innovation Support Knowledge Graph")
    parser.add_argument("--version", action="version", version=f"sikg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the HTTP service")
    p.add_argument("--host", default=os.environ.get("SIKG_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("SIKG_PORT", "8000")))
    p.add_argument("--workers", type=int, default=int(os.environ.get("SIKG_WORKERS", "4")),
                   help="threads answering requests")
    p.add_argument("--processes", type=int, default=int(os.environ.get("SIKG_PROCESSES", "1")),
                   help="worker processes (env SIKG_PROCESSES); over the embedded store, more than one serves it "
                        "read-only and needs contributions off")
    p.add_argument("--access-log", action="store_true", default=os.environ.get("SIKG_ACCESS_LOG") == "1",
                   help="log every request to standard output (env SIKG_ACCESS_LOG=1)")
    _store_arg(p, default="var/store")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("query", help="run a SPARQL query over the KG")
    p.add_argument("query", nargs="?", help="the SPARQL query text")
    p.add_argument("--file", help="read the query from a .rq file")
    p.add_argument("--name", help="run a curated query from queries/ by name")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter of a curated query")
    p.add_argument("--format", choices=list(QUERY_OUTPUTS), default="table")
    _store_arg(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("validate", help="SHACL-validate RDF files against the sikg shapes")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["text", "json", "ttl"], default="text")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("export", help="dump the whole KG")
    p.add_argument("--format", choices=[f.name for f in DUMP_FORMATS],
                   help="default: ttl, or jsonld with --frame (the only format of the frame)")
    p.add_argument("--frame", metavar="practices",
                   help="the framed view: a JSON-LD document whose graph is the array of practices, each nested "
                        "with its elements, methods, organisations, country, level and sources")
    p.add_argument("--schema-org", action="store_true", help="the schema.org view of the practices")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    _store_arg(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("load", help="(re)load the ontology and curated data, and any FILEs, into a store")
    p.add_argument("files", nargs="*", metavar="FILE")
    _store_arg(p)
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("synth", help="deterministic synthetic practices in the real ontology (N-Triples), for benchmarks")
    p.add_argument("--practices", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("stats", help="triples, practices per country and element")
    _store_arg(p)
    p.set_defaults(func=cmd_stats)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `sikg export | head` is fine
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
