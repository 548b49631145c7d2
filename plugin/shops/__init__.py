"""Shops: the four stores, their install, settings, products and compliance."""
