"""Custom Rasa NLU components of the shoe-shop assistant."""
