"""Rewards: the catalogue, redemptions into discount codes and store credit, referrals, tiers."""
