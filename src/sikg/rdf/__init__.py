"""RDF in and out: reading a client's RDF safely (reading), JSON-LD (jsonld, framing), writing query results
(results) and what an export holds (exports).
"""
