"""SHACL validation (shacl: what the service and the command line call; engine: the fast engine it validates with,
pySHACL being the reference and the fallback) and a report as people read it (report).
"""
