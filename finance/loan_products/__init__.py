"""Bank loan products for patent pledge loans (知识产权质押融资), versioned, and the risk-compensation pools they take
part in; the pure pre-check rules (``rules``): the 12 CNIPA refusal grounds, the product's floors and the conflicts
with open licences and licences granted."""
