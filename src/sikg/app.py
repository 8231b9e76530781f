"""The Flask application: routes only. Each route hands the request to the module that owns the concern."""

import io

from flask import Flask, Response, jsonify, request

from .sparql import OUTPUT_FORMATS, QueryError, is_graph_result, run_query, write_result


def create_app(store) -> Flask:
    app = Flask(__name__)
    app.config["SIKG_STORE"] = store

    @app.get("/health")
    def health():
        return jsonify(status="ok", triples=len(store))

    @app.get("/sparql")
    def sparql():
        queries = request.args.getlist("query")
        if len(queries) != 1:
            return Response("give exactly one 'query' parameter\n", 400, mimetype="text/plain")
        try:
            result = run_query(store, queries[0])
        except QueryError as error:
            return Response(f"{error}\n", 400, mimetype="text/plain")
        fmt = OUTPUT_FORMATS["ttl" if is_graph_result(result) else "json"]
        buffer = io.BytesIO()
        write_result(result, fmt, buffer)
        return Response(buffer.getvalue(), 200, mimetype=fmt.media_type)

    return app
