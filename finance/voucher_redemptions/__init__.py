"""Spending service vouchers: the licence checkout, catalogued service orders, claims, integrity, settlement feed."""
