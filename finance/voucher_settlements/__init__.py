"""Settlement of captured voucher claims: batches, the bank payment file, payouts, statements and reports."""
