"""What the merchant's admin reads, one module per admin page, each query filtered by its shop:
``dashboard``, ``members``, ``benefits``, ``audit``; ``points`` (the points summary, also for
the program results) and ``shared`` (what they stand on)."""
