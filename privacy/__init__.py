"""One person erased from everything casebot keeps: ``python -m privacy.erase``.

It sits above every process's package (it opens the gateway's stores, the action server's
outbox, Rasa's conversations and asks the case back end), so nothing imports it.
"""
