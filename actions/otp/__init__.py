"""One-time codes that let a customer prove a case is theirs: settings, store and senders."""
