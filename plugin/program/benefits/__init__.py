"""The member benefits' rules: trade-ins (quotes and their workflow), returns, warranty claims
and CTRL F (POLICY.md sections 4 to 7), pure like the rest of the program."""
