"""Rückenbot: fact store, answer composition and helpers around the Rasa project."""
