"""Where the assistant writes first: the IVR handoff, case change events, notices."""
