"""The HTML pages and resource descriptions: home, chart, browse, concepts, resources (/id/...), dereference
and the Jinja environment (templating).
"""
