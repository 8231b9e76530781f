"""The format table (formats.py): the RDF syntaxes and result formats take their media type and extension from
pyoxigraph, files are read by their extension whatever its case, and uploads are read by their media type only when
it names an RDF syntax."""

import pyoxigraph as ox
import pytest

from sikg import formats
from sikg.sparql.descriptions import service_description, void_description


@pytest.mark.parametrize("fmt", formats.GRAPH_FORMATS, ids=lambda f: f.name)
def test_every_graph_format_takes_its_media_type_and_extension_from_pyoxigraph(fmt):
    assert fmt.is_graph and fmt.results is None
    assert (fmt.media_type, fmt.extension, fmt.label) == (fmt.rdf.media_type, fmt.rdf.file_extension, fmt.rdf.name)


@pytest.mark.parametrize("fmt", formats.RESULT_FORMATS, ids=lambda f: f.name)
def test_every_result_format_takes_its_media_type_from_pyoxigraph_without_parameters(fmt):
    assert not fmt.is_graph
    assert fmt.media_type == fmt.results.media_type.split(";")[0] and ";" not in fmt.media_type
    assert fmt.extension == fmt.results.file_extension


@pytest.mark.parametrize("extension, expected", [
    (".owl", ox.RdfFormat.RDF_XML), ("json", ox.RdfFormat.JSON_LD), (".TTL", ox.RdfFormat.TURTLE),
    (".NQ", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG), (".txt", None), ("", None)])
def test_rdf_format_for_extension_with_or_without_the_dot_in_any_case(extension, expected):
    assert formats.rdf_format_for_extension(extension) == expected


def test_every_readable_extension_names_an_rdf_syntax():
    assert formats.READABLE_EXTENSIONS == sorted(formats.READABLE_EXTENSIONS)
    assert all(formats.rdf_format_for_extension(e) is not None for e in formats.READABLE_EXTENSIONS)


@pytest.mark.parametrize("media_type, expected", [
    ("text/turtle", formats.TURTLE), ("text/turtle; charset=utf-8", formats.TURTLE),
    ("Application/LD+JSON ;profile=x", formats.JSON_LD), ("application/x-turtle", formats.TURTLE),
    ("text/plain", None), ("application/xml", None), ("application/json", None), ("", None), (None, None)])
def test_upload_format_ignores_parameters_and_refuses_what_says_too_little(media_type, expected):
    assert formats.upload_format(media_type) is expected


def test_upload_media_types_are_the_upload_formats_and_the_turtle_alias():
    media_types = formats.upload_media_types()
    assert {f.media_type for f in formats.UPLOAD_FORMATS} | {"application/x-turtle"} == set(media_types)
    assert all(formats.upload_format(m) is not None for m in media_types)


def test_every_answered_format_is_described_where_the_service_describes_itself(kg):
    """A format added to the table is offered and described everywhere with no other change: the Service
    Description names every result format by its W3C IRI, VoID every dump's media type and EU file type."""
    described = {t.object.value for t in service_description(kg, "http://localhost/sparql")}
    assert {f"http://www.w3.org/ns/formats/{f.w3c}" for f in (*formats.RESULT_FORMATS, *formats.GRAPH_FORMATS)} \
        <= described
    void = {t.object.value for t in void_description(kg, "http://localhost/")}
    for fmt in formats.DUMP_FORMATS:
        assert f"http://www.iana.org/assignments/media-types/{fmt.media_type}" in void
        assert f"http://publications.europa.eu/resource/authority/file-type/{fmt.file_type}" in void
