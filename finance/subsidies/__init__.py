"""Premium-subsidy programmes for IP insurance (保费补贴): programmes, estimates, firms' claims, the caps ledger."""
