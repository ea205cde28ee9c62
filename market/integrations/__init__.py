"""Ports and adapters to the outside world: PDF rendering, payments (and, by others, search and mail)."""
