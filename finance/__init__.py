"""Licences and payments, royalty reports, contracts, vouchers, pledge loans and insurance."""
