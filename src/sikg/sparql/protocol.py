"""The SPARQL 1.1 Protocol query operation: reading the request, choosing the result format, answering.

The route in web/routes/sparql.py hands the Flask request here and sends back what `SparqlService.answer` returns.
Queries are checked (safety.py), then evaluated in the killable evaluator processes (evaluator.py) or by the external
store; answers are cached per store state, so a write invalidates them and repeated queries cost a look-up.
"""

import codecs
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from werkzeug.datastructures import MIMEAccept, MultiDict

from ..errors import BadRequest, MethodNotAllowed, NotAcceptable, OverLimit, Refusal, StoreUnavailable, UnsupportedBody
from ..formats import GRAPH_FORMATS, NAMEABLE_RESULT_FORMATS, RESULT_FORMATS
from ..http.negotiation import Choice, UnknownFormat, choose
from ..http.response_cache import CACHEABLE_BYTES, STATE_TOKEN_KEY, BoundedCache
from .evaluator import (
    EvalRequest,
    EvaluationFailed,
    EvaluatorBusy,
    QueryTimeout,
    ResultTooLarge,
    Unrepresentable,
    term_to_wire,
)
from .safety import QueryRefused, check_query

STREAM_AFTER_BYTES = 1024 * 1024  # answers smaller than this go out whole, with their real status on failure
# The parameters that name a result format, the first given one read: `format` (Virtuoso's, sikg's), `output`
# (Fuseki's); SPARQLWrapper sends both.
FORMAT_PARAMETERS = ("format", "output")
# On an answer that did not follow its format parameter (unknown, or a format the result cannot be) but Accept
# (http/negotiation.py says when): which parameter, and why, e.g. `format=turtl: unknown format; the answer follows
# Accept`. Documented in the README ("Choosing a result format"); CORS exposes it (web/hooks.py).
IGNORED_FORMAT_HEADER = "Sikg-Format-Ignored"


@dataclass
class QueryRequest:
    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None  # the `format` (or `output`) parameter, for links that cannot set Accept
    bindings: dict = field(default_factory=dict)  # a curated query's parameters, as pyoxigraph terms
    format_parameter: str = "format"  # which parameter `format` came from


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes | Iterator[bytes]
    headers: dict = field(default_factory=dict)


def read_query_request(request) -> QueryRequest:
    """The query and its dataset from GET parameters, a form-encoded POST or an application/sparql-query POST."""
    url = _strict_parameters(request.query_string, "the URL's query string")
    if request.method in ("GET", "HEAD"):
        params = url
        queries = url.getlist("query")
        if "update" in url:
            raise BadRequest("SPARQL Update is not accepted: /sparql is read-only (query operation only)")
    elif request.method == "POST":
        media_type = request.mimetype
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedBody(f"the body must be UTF-8 (charset={charset} given)")
        body = request.get_data(cache=True)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnsupportedBody(f"the body is not valid UTF-8 ({error.reason} at byte {error.start})") from None
        if media_type == "application/x-www-form-urlencoded":
            params = _strict_parameters(body, "the form body", kind=UnsupportedBody)
            queries = params.getlist("query") + url.getlist("query")
        elif media_type == "application/sparql-query":
            params = url
            queries = [text] + url.getlist("query")
        elif media_type == "application/sparql-update":
            raise BadRequest("SPARQL Update is not accepted: /sparql is read-only (query operation only)")
        else:
            raise UnsupportedBody(f"unsupported body type {media_type or '(none)'}: send "
                                     "application/x-www-form-urlencoded or application/sparql-query")
        if "update" in params:
            raise BadRequest("SPARQL Update is not accepted: /sparql is read-only (query operation only)")
    else:
        raise MethodNotAllowed("use GET or POST", {"Allow": "GET, POST, HEAD, OPTIONS"})
    if len(queries) > 1:
        raise BadRequest("exactly one query is allowed; this request carries "
                                 f"{len(queries)} 'query' parameters")
    graphs = lambda name: params.getlist(name) + (url.getlist(name) if params is not url else [])
    requested, parameter = next(((value, name) for name in FORMAT_PARAMETERS
                                 for value in url.getlist(name) + (params.getlist(name) if params is not url else [])
                                 if value), (None, "format"))
    return QueryRequest(queries[0] if queries else None, graphs("default-graph-uri"), graphs("named-graph-uri"),
                        requested, format_parameter=parameter)


def _strict_parameters(raw: bytes, where: str, kind: type[Refusal] = BadRequest):
    """URL-encoded parameters decoded as UTF-8 strictly: a %FF is an error, not a silent U+FFFD. What parse_qsl
    reads (keep_blank_values, "&" the only separator), with the escapes read by _unquoted."""
    try:
        fields = [field.partition("=") for field in raw.decode("ascii", errors="strict").split("&") if field]
        return MultiDict([(_unquoted(name), _unquoted(value)) for name, _, value in fields])
    except (UnicodeDecodeError, UnicodeEncodeError) as error:
        raise kind(f"{where} is not valid percent-encoded UTF-8 ({error.reason})") from None


def _unquoted(text: str) -> str:
    """urllib's unquote_plus(text, errors="strict") for ASCII text, with the escapes read in C: a query has dozens
    of them, and urllib's loop over them was a visible part of a lookup (bench/README.md, section 8).
    codecs.escape_decode reads "\\xHH" as the byte HH; the text's own backslashes are doubled first, so that they
    stay what they are."""
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    try:
        octets = codecs.escape_decode(text.replace("\\", "\\\\").replace("%", "\\x").encode("ascii"))[0]
    except ValueError:  # a "%" without two hex digits after it: urllib keeps it as it is
        return unquote(text, encoding="utf-8", errors="strict")
    return octets.decode("utf-8")


class SparqlService:
    """`evaluate(request, deadline)` runs a checked query and yields ("chunk", bytes)… ("done", media type): the
    evaluator pool over the embedded store's snapshots, or the external store's own endpoint."""

    def __init__(self, store, evaluate, timeout: float, max_bytes: int, cache_bytes: int = 64 * 1024 * 1024):
        self.store, self.evaluate = store, evaluate
        self.timeout, self.max_bytes = timeout, max_bytes
        self.cache = BoundedCache(cache_bytes, second_hit=True)  # small answers by ETag: (media type, body)

    def etag(self, request: QueryRequest, format_name: str, state_token: str | None = None) -> str:
        bindings = sorted((name, term_to_wire(term)) for name, term in request.bindings.items())
        key = "\x00".join([state_token or self.store.state_token, request.query or "", format_name, repr(bindings),
                           "\x01".join(request.default_graphs), "\x01".join(request.named_graphs)])
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def prepare(self, request: QueryRequest, accept: MIMEAccept):
        """Checks the query and picks the format: everything that can fail before evaluation, as a Refusal."""
        try:
            shape = check_query(request.query, self.store, request.default_graphs, request.named_graphs)
        except QueryRefused as refusal:
            raise BadRequest(str(refusal)) from None
        if shape.returns_graph:
            return shape, choose(accept, request.format, GRAPH_FORMATS, clients=True)
        return shape, choose(accept, request.format, RESULT_FORMATS, nameable=NAMEABLE_RESULT_FORMATS, clients=True)

    def answer_request(self, request: QueryRequest, http_request) -> "Answer":
        """The answer to a query from an HTTP request: its Accept, and for a GET or HEAD its If-None-Match (a POST's
        answer is never a 304)."""
        conditional = http_request.if_none_match if http_request.method in ("GET", "HEAD") else None
        return self.answer(request, http_request.accept_mimetypes, conditional,
                           http_request.environ.get(STATE_TOKEN_KEY))

    def answer(self, request: QueryRequest, accept: MIMEAccept, if_none_match=None,
               state_token: str | None = None) -> Answer:
        """`if_none_match` is werkzeug's ETags of a GET or HEAD (None for a POST: its answer is never a 304);
        `state_token`, the store's, when the caller has read it already (over an external store, a request)."""
        shape, choice = self.prepare(request, accept)
        etag = self.etag(request, f"{choice.format.name} {choice.media_type}", state_token)
        headers = {"ETag": f'"{etag}"', "Vary": "Accept", "Cache-Control": "no-cache"}
        if choice.ignored is not None:
            headers[IGNORED_FORMAT_HEADER] = _ignored(request, choice)
        if if_none_match is not None and if_none_match.contains_weak(etag):
            return Answer(304, choice.media_type, b"", headers)
        cached = self.cache.get(etag)
        if cached is not None:
            return Answer(200, cached[0], cached[1], headers)
        evaluation = EvalRequest(request.query, choice.format.name,
                                 tuple(request.default_graphs), tuple(request.named_graphs),
                                 tuple(sorted((n, term_to_wire(t)) for n, t in request.bindings.items())),
                                 union_default_graph=not shape.names_its_dataset, pattern=shape.pattern,
                                 streams=shape.streams)
        try:
            chunks = self.evaluate(evaluation, time.monotonic() + self.timeout)
        except SyntaxError as error:  # an external store checks the query as it receives it
            raise BadRequest(str(error)) from None
        head, media_type = [], choice.media_type
        try:
            size = 0
            for kind, payload in chunks:
                if kind == "done":
                    chunks.close()  # hands the evaluator back to the pool
                    body, media_type = b"".join(head), _label(payload, choice)
                    if len(body) <= CACHEABLE_BYTES:
                        self.cache.put(etag, (media_type, body), len(body))
                    return Answer(200, media_type, body, headers)
                head.append(payload)
                size += len(payload)
                if size >= STREAM_AFTER_BYTES:
                    return Answer(200, media_type, _stream(head, chunks), headers)
        except SyntaxError as error:
            raise BadRequest(str(error)) from None
        except QueryTimeout:
            raise OverLimit(f"the query ran longer than the time limit ({self.timeout:g} s) and was "
                                     "stopped; narrow it or add a LIMIT", {"Retry-After": "1"}) from None
        except EvaluatorBusy:
            raise OverLimit("all query evaluators are busy; try again shortly", {"Retry-After": "1"}) from None
        except ResultTooLarge:
            raise BadRequest(f"the result is larger than the service's cap ({self.max_bytes} bytes, "
                                     "SIKG_MAX_RESULT_BYTES); narrow the query or add a LIMIT") from None
        except Unrepresentable as error:
            raise NotAcceptable(f"{error}; ask for Turtle, N-Triples or another RDF syntax") from None
        except EvaluationFailed as error:
            raise BadRequest(f"the query could not be evaluated: {error}") from None
        except StoreUnavailable as error:
            raise OverLimit(str(error), {"Retry-After": "5"}) from None
        raise OverLimit("the evaluator ended without an answer")


def _ignored(request: QueryRequest, choice: Choice) -> str:
    """The IGNORED_FORMAT_HEADER of an answer: the parameter as sent (percent-encoded where a header could not carry
    it) and why it was not followed."""
    why = "unknown format" if isinstance(choice.ignored, UnknownFormat) else "a format this result cannot be"
    return f"{request.format_parameter}={quote(request.format, safe='/+;=,*. ')}: {why}; the answer follows Accept"


def _label(media_type: str, choice: Choice) -> str:
    """The answer's media type: the evaluator's, or the alias the client chose for that format."""
    return choice.media_type if media_type == choice.format.media_type else media_type


def _stream(head: list[bytes], chunks) -> Iterator[bytes]:
    """Sends what was held back, then the rest as it comes. Past this point the status is sent: a failure (time limit,
    size cap) can only cut the response short. The exception propagates so that the server drops the connection
    without the final chunk, and clients report an incomplete transfer instead of taking a truncated result."""
    try:
        yield from head
        for kind, payload in chunks:
            if kind == "chunk":
                yield payload
    finally:
        chunks.close()
