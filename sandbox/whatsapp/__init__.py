"""A stand-in for the WhatsApp Cloud API (Meta's Graph API) that records what it is sent."""
