"""The shop database: models, sessions and query functions."""
