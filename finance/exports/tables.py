"""The exports module keeps no tables: what it hands out is read through the desk's, pledges' and webhooks' services."""
