"""Webhooks: organisations register HTTPS endpoints; events relevant to them are delivered signed, at least once.

Other modules' event handlers call ``market.webhooks.service.publish(org_id, event_type, event_id, payload)``;
``webhooks.deliver`` (market.webhooks.jobs) sends each delivery and retries it with backoff. See
docs/webhooks.md for what a receiver does (verify the signature, de-duplicate by the event id).
"""
