"""The HTTP routes, one blueprint per family. Each route parses the request, calls one service and returns its
answer; what a route family offers is described beside its routes (OPENAPI_PATHS, gathered by openapi.py).

A new route family is a new module here, listed in FAMILIES."""

from flask import Flask

from . import contributions, export, linked_data, pages, service, sparql

FAMILIES = (sparql, linked_data, export, contributions, pages, service)


def register(app: Flask) -> None:
    for family in FAMILIES:
        app.register_blueprint(family.routes)
