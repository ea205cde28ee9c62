"""Insurance claims (知识产权保险理赔): the insured's notice on an in-force policy, its costs with invoices, the
insurer's assessment against the limits and the deductible on the desk, payment or denial with coded reasons and a
letter; guarantee insurance attached to a pledge loan, whose default opens the bank's claim."""
