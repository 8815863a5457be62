"""A stand-in for Twilio's Messages API (WhatsApp): records what it is sent, serves media."""
