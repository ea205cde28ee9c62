"""What finance hands to the parties' own systems: the desk's moves as webhooks (to the reviewing bank and the
applicant), a pledge application's package (a zip with a manifest of SHA-256 digests) and the bank's portfolio
figures. No tables of its own: it reads through the other modules' services."""
