"""Related-party facts as an organisation records them, and the related-party check between an SME and a provider."""
