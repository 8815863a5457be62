"""The live relay between a customer's channel and an Amazon Connect chat with a person.

The action server starts the chat and hands it over in the handoff's reply (a ``live_chat``
custom payload, taken out in ``api.conversation``); the gateway, which owns the customer's
channel, takes part in it as the customer through the Connect Participant Service
(``participant``), keeps each live chat (``store``), relays it over its websocket (``relay``)
and runs with the app (``channel``).
"""
