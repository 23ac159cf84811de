"""Text messages (SMS): an outbox, and a pluggable backend that sends them."""
