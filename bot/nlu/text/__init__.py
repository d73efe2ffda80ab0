"""Customer text as such: length-preserving normalisation, script and language, and masking of personal data."""
