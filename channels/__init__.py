"""Input channels of the shop assistant beyond Rasa's built-in ones.

``channels.socketio.ShopSocketIOInput`` serves the web widget (``docs/widget-channel.md``).
"""
