"""What a message states, by rules: pattern entities, purchase dates, places, urgency, ratings, a stated problem."""
