"""The HTTP routes, one blueprint per family, each in a module of this package named `routes`. Each route parses
the request, calls one service and returns its answer; each family describes its paths beside its routes
(`DescribedBlueprint.describe`), which http/openapi.py gathers.

A new route family is one new module here: every module of the package is registered."""

import importlib
import pkgutil

from flask import Flask


def families() -> list:
    return [importlib.import_module(f"{__name__}.{module.name}") for module in pkgutil.iter_modules(__path__)]


def register(app: Flask) -> None:
    for family in families():
        app.register_blueprint(family.routes)
