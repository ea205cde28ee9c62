"""Pledge loans (知识产权质押融资): an SME's application on a bank's product, the checks before it is submitted, the
bank's review on the desk, the offer and its acceptance. The contract and the CNIPA registration follow in
``finance.registrations``."""
