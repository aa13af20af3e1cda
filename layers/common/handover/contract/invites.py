"""What sending a claim or reset link answers: its expiry, or, for a customer created with
`invite: true`, whether it went. Apart from the customers' bodies, as the staff routes answer them
too."""

from __future__ import annotations

from handover.models import Model


class InviteAccepted(Model):
    expires_at: str


class InviteOutcome(Model):
    """What became of `invite: true` on create: sent (with the link's expiry) or not, and why."""

    sent: bool
    expires_at: str | None = None
    code: str | None = None
