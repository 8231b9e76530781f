"""The OpenAPI document (/openapi.json) describes every route the app has, as the app answers it."""

import re

import pytest


def _template(rule: str) -> str:
    """A Flask rule as an OpenAPI path with its parameters unnamed: /review/<contribution_id> -> /review/{}."""
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "{}", rule)


@pytest.fixture(scope="module")
def document(client):
    return client.get("/openapi.json").get_json()


def test_every_route_and_method_is_described(client, document):
    described = {(_template(re.sub(r"{[a-z_]+}", "<x>", path)), method.upper())
                 for path, operations in document["paths"].items() for method in operations}
    routes = {(_template(rule.rule), method) for rule in client.application.url_map.iter_rules()
              if rule.endpoint != "static" for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - described == set()
    assert described - routes == set()


def test_each_path_declares_the_parameters_its_template_names(document):
    for path, operations in document["paths"].items():
        named = set(re.findall(r"{([a-z_]+)}", path))
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == named, (method, path)


def test_a_withdrawn_resource_is_described_as_gone_with_its_history_link(document):
    gone = document["paths"]["/id/{kind}/{slug}"]["get"]["responses"]["410"]
    assert "Link" in gone["headers"]
    assert {"text/html", "text/turtle", "application/ld+json", "text/plain"} <= set(gone["content"])


def test_the_contribution_list_describes_its_paging_headers(document):
    listing = document["paths"]["/contributions"]["get"]
    assert set(listing["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}
    assert {"limit", "offset", "order"} <= {p["name"] for p in listing["parameters"]}


def test_the_validation_form_post_is_described(document):
    form = document["paths"]["/validate/form"]["post"]
    assert "multipart/form-data" in form["requestBody"]["content"]
    assert {"200", "400", "413"} <= set(form["responses"])
