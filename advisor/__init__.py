"""How the advisor's Rasa server is started: the launcher (``python -m advisor``), the API token, and the
one module with every patch of Rasa internals (advisor.patches)."""
