"""Linked data: dereferenceable IRIs (/id/…), the ontology, the shapes, the JSON-LD context and the dataset's VoID
description."""

import json

from flask import Response, render_template, request

from ...errors import BadRequest
from ...formats import GRAPH_FORMATS, HTML
from ...http.negotiation import negotiate
from ...http.openapi import (
    FORMAT_PARAM,
    GONE,
    GRAPHS,
    LANG_PARAM,
    NEGOTIATION_ERRORS,
    NOT_MODIFIED,
    DescribedBlueprint,
    any_response,
    path_parameter,
    text_response,
)
from ...http.responses import html_response, rdf_response
from ...i18n.languages import choose_languages
from ...i18n.ui_text import resource_words
from ...pages import resources
from ...pages.dereference import history_response, resource_response, version_response
from ...rdf import content, jsonld
from ...sparql.descriptions import void_description
from ..services import current

routes = DescribedBlueprint("linked_data", __name__)
# The ontology is a page for a browser and a graph for everyone else; Turtle for `*/*`.
ONTOLOGY_FORMATS = (GRAPH_FORMATS[0], HTML, *GRAPH_FORMATS[1:])


@routes.get("/id/<kind>/<path:slug>")
def resource(kind, slug):
    return resource_response(current().store, kind, slug, request)


@routes.get("/id/<kind>/<slug>/history")
def resource_history(kind, slug):
    return history_response(current().store, kind, slug, request)


@routes.get("/id/<kind>/<slug>/history/<int:number>")
def resource_version(kind, slug, number):
    return version_response(current().store, kind, slug, number, request)


@routes.get("/ontology")
def ontology():
    choice = negotiate(ONTOLOGY_FORMATS)
    store = current().store
    if choice.format is HTML:
        language = choose_languages(request.args.get("lang"), request.accept_languages)
        return html_response(render_template("ontology.html", terms=resources.ontology_terms(store, language),
                                             language=language.page, ui=resource_words(language.page)))
    return rdf_response(resources.ontology_graph(store), choice)


@routes.get("/shapes")
def shapes():
    profile = request.args.get("profile", "full")
    if profile not in content.SHAPE_PROFILES:
        raise BadRequest(f"unknown profile {profile!r}; use core (SHACL Core only) or full")
    return rdf_response(q.triple for f in content.SHAPE_PROFILES[profile]() for q in content.read(f))


@routes.get("/context.jsonld")
def context_document():
    response = Response(json.dumps(jsonld.context_document(), indent=2, ensure_ascii=False), 200,
                        content_type="application/ld+json", headers={"Cache-Control": "public, max-age=3600"})
    response.add_etag()  # the body's hash: the context changes with SIKG_BASE and releases, not with the store
    return response.make_conditional(request)


@routes.get("/.well-known/void")
def void():
    return rdf_response(void_description(current().store, request.url_root))


routes.describe({
    "/id/{kind}/{slug}": {"get": {
        "summary": "Dereferences an IRI of the KG: its description, by content negotiation",
        "parameters": [path_parameter("kind"), path_parameter("slug"),
                       {"name": "format", "in": "query", "schema": {"type": "string",
                                                                   "enum": ["html", "ttl", "jsonld", "nt", "rdfxml"]}},
                       {"name": "lang", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": any_response("The description", ["text/html", *GRAPHS[:4]]), "304": NOT_MODIFIED,
                      "404": text_response("No such resource"), "410": GONE, **NEGOTIATION_ERRORS}}},
    "/id/{kind}/{slug}/history": {"get": {
        "summary": "A practice's or organisation's history: every version, with who proposed and accepted it, when "
                   "and why; a page, or the PROV records (prov:wasRevisionOf) in RDF",
        "parameters": [path_parameter("kind"), path_parameter("slug"), LANG_PARAM],
        "responses": {"200": any_response("The history", ["text/html", *GRAPHS[:4]]),
                      "404": text_response("No such resource"), **NEGOTIATION_ERRORS}}},
    "/id/{kind}/{slug}/history/{n}": {"get": {
        "summary": "Version n of a resource's description as it was (the current one: the resource itself)",
        "parameters": [path_parameter("kind"), path_parameter("slug"), path_parameter("n"), LANG_PARAM],
        "responses": {"200": any_response("The version", ["text/html", *GRAPHS[:4]]), "304": NOT_MODIFIED,
                      "404": text_response("No such resource or version"), **NEGOTIATION_ERRORS}}},
    "/ontology": {"get": {"summary": "The ontology: HTML documentation or RDF",
                          "parameters": [FORMAT_PARAM, LANG_PARAM],
                          "responses": {"200": any_response("The ontology", ["text/html", *GRAPHS]),
                                        **NEGOTIATION_ERRORS}}},
    "/shapes": {"get": {"summary": "The SHACL shapes: the full set sikg validates with, or profile=core for SHACL "
                                   "Core only (without the SHACL-SPARQL constraints)",
                        "parameters": [FORMAT_PARAM, {"name": "profile", "in": "query",
                                                      "schema": {"type": "string", "enum": ["full", "core"]}}],
                        "responses": {"200": any_response("The shapes", GRAPHS), **NEGOTIATION_ERRORS,
                                      "400": text_response("Unknown format= or profile= name (the message lists the "
                                                            "valid ones)")}}},
    "/context.jsonld": {"get": {"summary": "The JSON-LD 1.1 context every JSON-LD of the service uses",
                                "responses": {"200": any_response("The context", ["application/ld+json"])}}},
    "/.well-known/void": {"get": {"summary": "VoID and DCAT description of the dataset", "parameters": [FORMAT_PARAM],
                                  "responses": {"200": any_response("The description", GRAPHS),
                                                **NEGOTIATION_ERRORS}}},
})
