"""Idempotency keys: an API write sent again with the same ``Idempotency-Key`` gets the first answer again."""
