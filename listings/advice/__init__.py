"""Suggested royalties for a university's patents (through ``pricing``), and where a price lies against them."""
