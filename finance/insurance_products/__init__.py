"""Insurers' IP insurance products (知识产权保险), versioned: the four kinds (enforcement, infringement loss, overseas
liability, pledge-loan guarantee), their limits, deductible, premium table, underwriting questionnaire, document
checklist and approval thresholds; ``quote`` computes a premium and limits from a version, line by line (pure)."""
