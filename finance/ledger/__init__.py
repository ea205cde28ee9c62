"""The university ledger: gross, platform fee, net and the inventor reward share, per licence and month."""
