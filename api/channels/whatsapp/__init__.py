"""WhatsApp over Meta's Cloud API: the signed webhook, a durable queue, the Graph API."""
