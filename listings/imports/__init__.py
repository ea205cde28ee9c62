"""Bulk import of patent records from CSV and JSON Lines, with a per-row report."""
