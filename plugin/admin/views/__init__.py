"""The admin's pages, one module per area; each view: verify, load, call a service, render."""
