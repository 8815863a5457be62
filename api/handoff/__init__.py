"""The live relay between a customer's channel and an Amazon Connect chat with a person.

The action server starts the chat and hands it over in the handoff's reply (a ``live_chat``
custom payload); the gateway, which owns the customer's channel, takes part in it as the
customer through the Connect Participant Service. Built so far: the durable state of each live
chat (``store``) and the participant calls (``participant``). The relay itself (the websocket
per chat, the customer's messages to SendMessage, resuming the assistant when the chat ends)
is still to come.
"""
