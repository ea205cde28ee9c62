"""Listings in the search index: documents, the outbox that keeps the index in step with the database, the search
API, ``market reindex``."""
