"""The webchat channel: the page, its websocket, ``POST /webchat/messages``, notices, identity."""
