"""WhatsApp over Twilio: the signed form webhook, a durable queue, Twilio's Messages API."""
