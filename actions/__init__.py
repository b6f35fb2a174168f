"""Custom actions of the shoe-shop assistant, one module per business area."""
