"""Pages for people: the home page, browsing practices, the validation form. Routes only; data comes from pages
logic elsewhere."""

from flask import Blueprint

pages = Blueprint("pages", __name__)
