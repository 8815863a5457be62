"""casebot gateway: the FastAPI app that faces the outside world and talks to Rasa."""
