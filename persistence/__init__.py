"""Where conversations are kept: the tracker store class and the endpoints file per run mode."""
