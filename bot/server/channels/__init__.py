"""Rasa input channels (custom connectors) named in credentials.yml by their module path."""
