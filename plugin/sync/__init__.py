"""Catching up with Shopify: reconciliation replays what webhooks missed through the same use
cases the webhook handlers call."""
