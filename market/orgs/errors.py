"""The orgs module's own errors."""

from __future__ import annotations

from market.errors import Forbidden


class NotApproved(Forbidden):
    """The organisation may not do this until a platform administrator approves it (or lifts its suspension)."""

    code = "org-not-approved"
    title = "problem.org-not-approved"
