"""Relief-from-royalty valuation of patents for pledge loans: the pure calculation (``relief``), every input and
line shown, the method tagged external, internal or agreed (internal and agreed only below the threshold of the
shared data), the amount as Money."""
