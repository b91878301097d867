"""Input channels of the advisor, configured from the environment (see credentials.yml)."""
