"""Custom actions of the CSM/CSPO advisor, one module per concern (rasa_sdk imports every submodule)."""
