"""Provider webhooks: configuration, signed payloads, the outbox and its event scan."""
