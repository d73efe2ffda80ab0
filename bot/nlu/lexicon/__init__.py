"""The catalogue lexicon (brands, products, parts, fault terms) and how its mentions are read in context."""
