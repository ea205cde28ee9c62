"""Decision letters: a desk decision as a bilingual PDF (outcome, coded reasons with their articles, what to fix,
how to re-apply), sealed by the platform, stored in the case's dossier, hashed into the audit trail, and the same
text in the notification."""
