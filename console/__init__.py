"""The shop's web console and demo shop: agents, trainers, owners (a Sanic app).

It runs beside the Rasa server (``python -m console``), reads and writes the shop
database, and talks to Rasa only through Rasa's HTTP API (``shop.config``:
``RASA_URL``, ``RASA_TOKEN``).
"""
