"""The interface's languages: its words from the gettext catalogues (ui_text), which language a request gets
(languages), and which texts the sikg team translated (translations).
"""
