"""Custom NLU components of the advisor (used in config.yml)."""
