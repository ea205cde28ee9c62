"""Technology needs of SMEs, saved searches, and matching them with published listings."""
