"""Payments of licences and royalties behind one port: Stripe, bank transfer; webhook events stored once."""
