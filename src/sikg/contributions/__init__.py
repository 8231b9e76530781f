"""Contributing and reviewing: the contribution state machine (service), people and roles (tokens), signing
in (sign_in), the form made from the shapes (form), its answers as RDF (form_data) and what the pages show (views).
"""
