"""Learning from corrections: unsure messages kept for review, labels, learned examples."""
