"""Voucher providers: a programme's catalogue of listed providers and their services."""
