"""The Flask application: wiring only. The settings, the store and the services built on them go into
`app.extensions["sikg"]` (services.py); the routes, one blueprint per family, are in routes/; what every request
and response goes through (CORS, Vary, bounded bodies, error handlers) is in hooks.py."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ..http.response_cache import DETERMINISTIC_PATHS, RepeatedGetCache
from ..pages import templating
from ..settings import Settings
from ..sparql.evaluator import EvaluatorPool
from . import hooks, routes, services
from .direct_queries import DirectQueries


def create_app(store, settings: Settings | None = None, pool: EvaluatorPool | None = None) -> Flask:
    """`pool`: query evaluator processes to share (tests); by default the embedded store starts its own."""
    settings = settings or Settings.from_environment()
    app = Flask("sikg")  # named for the package: its templates/ and static/ are beside the packages, not in web/
    app.extensions["sikg"] = services.build(store, settings, pool)
    hooks.install(app, settings.max_upload)
    templating.install(app)
    routes.register(app)
    # Repeated GETs of pages, descriptions and answers are answered before Flask sees them, until the next write;
    # a query's answer from its second request on (most of the long tail is asked once).
    # A query sent by GET is answered by the SPARQL service directly, without Flask (direct_queries.py).
    direct = DirectQueries(app.wsgi_app, app.extensions["sikg"].sparql)
    app.wsgi_app = RepeatedGetCache(direct, lambda: store.state_token, settings.cache_bytes,
                                    paths=DETERMINISTIC_PATHS, second_hit_paths=("/sparql",))
    if settings.trusted_proxies:  # behind them, the scheme, host and client are the ones they were sent
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    return app
