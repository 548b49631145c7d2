"""One module per resource; each handler parses its payload and calls services."""
