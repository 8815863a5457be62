"""Cases the back end could not take at once: kept, retried, the user told once filed."""
