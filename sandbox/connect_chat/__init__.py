"""A stand-in for Amazon Connect chat: the participant service, its websocket and an agent side."""
