"""The exports module keeps no tables, so it has no queries: see ``market.webhooks`` and ``finance.desk``."""
