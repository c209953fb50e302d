"""Twilio (WhatsApp + SMS): the REST client, settings, and the notification jobs."""
