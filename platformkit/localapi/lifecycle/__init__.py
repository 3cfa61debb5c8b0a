"""Pause, restore and restart of a project: ``service`` (the instance really stopped and
started), ``routes`` (with JSON bodies the clients parse)."""
