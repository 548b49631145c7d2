"""Use cases: load, apply a program rule, write, enqueue side effects. Services own transactions
only where they say so; handlers and views call them inside one unit of work."""
