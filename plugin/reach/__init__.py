"""Reaching members: notifications, emails, Flow triggers and the customer metafields."""
