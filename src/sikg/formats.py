"""Every format sikg reads or writes, in one table: its name (the `format=` value and the command line's `--format`),
its media type, file extension and the pyoxigraph format that reads and writes it.

The RDF syntaxes and SPARQL result formats take their media type, extension and label from pyoxigraph's own
`RdfFormat`/`QueryResultsFormat`; only what pyoxigraph does not know is written here: the names, the aliases common
clients send, the names other SPARQL clients and servers give the formats in `format=`/`output=`, the pages, and the
EU file-type codes that DCAT descriptions cite. A new output format is one entry here.
"""

from dataclasses import dataclass

import pyoxigraph as ox


# Each format is one object, defined here: equal is identical, and hashing one (conneg keeps its choices by the
# offers) costs nothing, where a dataclass would hash all its fields every time.
@dataclass(frozen=True, eq=False)
class Format:
    name: str  # format= and --format
    media_type: str  # canonical, without parameters
    label: str  # for people (download links, the paste form)
    extension: str = ""
    rdf: ox.RdfFormat | None = None  # an RDF syntax (CONSTRUCT/DESCRIBE results, dumps, uploads)
    results: ox.QueryResultsFormat | None = None  # a SPARQL results format (SELECT/ASK)
    # Other media types clients send for the same bytes (SPARQLWrapper's application/json for SPARQL JSON, Jena's
    # text/plain for N-Triples, application/xml for RDF/XML): answered only when no canonical type is acceptable.
    aliases: tuple[str, ...] = ()
    file_type: str | None = None  # EU Publications Office file-type authority code, for DCAT dump descriptions
    w3c: str | None = None  # its name under http://www.w3.org/ns/formats/, for the SPARQL Service Description
    # Other names SPARQL clients and servers put in format= or output= for it (SPARQLWrapper's return formats, Fuseki's
    # output= names): read only where a query is answered (/sparql, /queries/{name}), among the formats of the query's
    # form, since one name may be given to a format of each family (`xml`: SPARQL XML results for SELECT/ASK, RDF/XML
    # for CONSTRUCT/DESCRIBE).
    client_names: tuple[str, ...] = ()

    @property
    def is_graph(self) -> bool:
        return self.rdf is not None


def _rdf(name: str, rdf: ox.RdfFormat, aliases=(), file_type=None, w3c=None, client_names=()) -> Format:
    return Format(name, rdf.media_type, rdf.name, rdf.file_extension, rdf=rdf, aliases=tuple(aliases),
                  file_type=file_type, w3c=w3c, client_names=tuple(client_names))


def _results(name: str, results: ox.QueryResultsFormat, label: str, aliases=(), w3c=None, client_names=()) -> Format:
    # pyoxigraph labels CSV and TSV "text/csv; charset=utf-8": the charset is added when a response is sent
    return Format(name, results.media_type.split(";")[0], label, results.file_extension, results=results,
                  aliases=tuple(aliases), w3c=w3c, client_names=tuple(client_names))


# The client names: SPARQLWrapper's return formats (json, xml, turtle, n3, rdf, rdf+xml, json-ld, csv, tsv) and
# Fuseki's output= names (json, xml, sparql, text, csv, tsv for results; json-ld, json, xml, text, ttl, nt, trig,
# n-quads for graphs), each with the meaning the query's form gives it. N3 is answered as Turtle, which N3 readers read.
JSON_RESULTS = _results("json", ox.QueryResultsFormat.JSON, "SPARQL JSON", ["application/json"],
                        "SPARQL_Results_JSON")
XML_RESULTS = _results("xml", ox.QueryResultsFormat.XML, "SPARQL XML", ["application/xml", "text/xml"],
                       "SPARQL_Results_XML", client_names=["sparql"])
CSV = _results("csv", ox.QueryResultsFormat.CSV, "CSV", w3c="SPARQL_Results_CSV")
TSV = _results("tsv", ox.QueryResultsFormat.TSV, "TSV", w3c="SPARQL_Results_TSV")

TURTLE = _rdf("ttl", ox.RdfFormat.TURTLE, ["application/x-turtle"], "RDF_TURTLE", "Turtle",
              client_names=["turtle", "n3", "text"])
N_TRIPLES = _rdf("nt", ox.RdfFormat.N_TRIPLES, ["text/plain"], "RDF_N_TRIPLES", "N-Triples",
                 client_names=["ntriples", "n-triples"])
JSON_LD = _rdf("jsonld", ox.RdfFormat.JSON_LD, file_type="JSON_LD", w3c="JSON-LD", client_names=["json-ld", "json"])
RDF_XML = _rdf("rdfxml", ox.RdfFormat.RDF_XML, ["application/xml"], "RDF_XML", "RDF_XML",
               client_names=["xml", "rdf", "rdf+xml"])
TRIG = _rdf("trig", ox.RdfFormat.TRIG, file_type="RDF_TRIG", w3c="TriG")
N_QUADS = _rdf("nq", ox.RdfFormat.N_QUADS, file_type="RDF_N_QUADS", w3c="N-Quads", client_names=["n-quads", "nquads"])

XLSX = Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook (XLSX)",
              "xlsx")
CSVW_METADATA = Format("csvw", "application/csvm+json", "CSVW metadata", "json")  # W3C Tabular Data metadata
HTML = Format("html", "text/html", "HTML", "html")
JSON = Format("json", "application/json", "JSON", "json")
# The command line's table; a query answer's by name only, as Fuseki's `text` for SELECT and ASK (never by Accept).
TABLE = Format("table", "text/plain", "a table for people at a terminal", client_names=("text",))

# Families, each in the order the service prefers when the client leaves the choice open.
RESULT_FORMATS = (JSON_RESULTS, XML_RESULTS, CSV, TSV)
GRAPH_FORMATS = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, TRIG, N_QUADS)
QUERY_OUTPUTS = {f.name: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS, TABLE)}  # what `sikg query --format` takes
# What a SELECT's or ASK's format= may name beyond the offers (by name only, never by Accept).
NAMEABLE_RESULT_FORMATS = (TABLE,)
DUMP_FORMATS = (JSON_LD, TURTLE, N_TRIPLES, N_QUADS, TRIG, RDF_XML)  # /export and `sikg export`
RESOURCE_FORMATS = (HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML)  # /id/…
UPLOAD_FORMATS = (TURTLE, N_TRIPLES, N_QUADS, TRIG, JSON_LD, RDF_XML)  # what /validate and /contributions read
# The paste form of the validation page lists these, Turtle first.
PASTE_FORMATS = (TURTLE, JSON_LD, N_TRIPLES, N_QUADS, TRIG, RDF_XML)

# The spreadsheet template and what /validate and /contributions read as one (one row per practice).
SPREADSHEET_FORMATS = (XLSX, CSV)

# JSON-LD is JSON: where a resource is JSON-LD, a client that only takes application/json gets it, labelled so.
JSON_AS_JSON_LD = {"application/json": JSON_LD}

# Extensions of files read from disk or uploaded without a media type. pyoxigraph knows all but these two spellings.
_EXTRA_EXTENSIONS = {"json": ox.RdfFormat.JSON_LD, "owl": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML,
                     "turtle": ox.RdfFormat.TURTLE}
READABLE_EXTENSIONS = sorted({f".{f.extension}" for f in UPLOAD_FORMATS} | {f".{e}" for e in _EXTRA_EXTENSIONS})


def rdf_format_for_extension(extension: str) -> ox.RdfFormat | None:
    """The RDF syntax of a file by its extension (with or without the dot, any case), or None."""
    extension = extension.lower().lstrip(".")
    return _EXTRA_EXTENSIONS.get(extension) or next(
        (f.rdf for f in UPLOAD_FORMATS if f.extension == extension), None)


def upload_format(media_type: str | None) -> Format | None:
    """The RDF syntax an upload's media type names (parameters such as charset ignored), or None. Only the canonical
    types and the Turtle alias: text/plain and application/xml say too little about a body to parse it by."""
    media_type = (media_type or "").split(";")[0].strip().lower()
    return next((f for f in UPLOAD_FORMATS if media_type == f.media_type or
                 (f is TURTLE and media_type in f.aliases)), None)


def upload_media_types() -> list[str]:
    return [m for f in UPLOAD_FORMATS for m in (f.media_type, *(f.aliases if f is TURTLE else ()))]


def by_name(name: str, family) -> Format | None:
    return next((f for f in family if f.name == name), None)


def spreadsheet_format(media_type: str | None) -> Format | None:
    """The spreadsheet format an upload's media type names (parameters such as charset ignored), or None."""
    media_type = (media_type or "").split(";")[0].strip().lower()
    return next((f for f in SPREADSHEET_FORMATS if media_type == f.media_type), None)
