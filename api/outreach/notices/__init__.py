"""Notices the action server asks for (a queued case filed or failed), on the user's channel."""
