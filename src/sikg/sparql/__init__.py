"""SPARQL: the 1.1 Protocol (protocol), what a query may do (safety), the killable evaluator processes
(evaluator), the curated queries and running a query (queries), and the Service Description and VoID
(descriptions).
"""
