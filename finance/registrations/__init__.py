"""Pledge registration: the pledge contract and the joint application rendered, sealed and signed by both parties,
and the CNIPA registration (专利权质押登记) tracked as its own state machine up to its release (注销)."""
