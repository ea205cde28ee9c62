"""Dossiers: a case's document checklist (data) and the documents stored against it, each with its SHA-256, versioned
per requirement, its type sniffed from its bytes, verified or rejected with a reason code."""
