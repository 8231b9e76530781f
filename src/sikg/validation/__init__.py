"""SHACL validation (shacl) and a report as people read it (report).
"""
