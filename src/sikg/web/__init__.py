"""The Flask application: its wiring (app), the services routes call (services), what every request goes through
(hooks), the SPARQL GETs answered before Flask (direct_queries) and the routes, one blueprint per family (routes).
"""
