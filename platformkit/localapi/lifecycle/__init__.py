"""Pause, restore and restart of a project: the routes, with JSON bodies the clients parse."""
