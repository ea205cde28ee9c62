"""IP insurance underwriting: eligibility from the record, licensee consents, the SME's application (questionnaire
frozen with its version and the Art 16 acknowledgement, quote frozen) and the insurer's review on the desk."""
