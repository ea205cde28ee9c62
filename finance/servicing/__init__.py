"""Servicing of registered pledge loans: disbursement and repayments recorded by the bank (balance derived), the
release due on full repayment, default declared with its claim on a risk-compensation pool."""
