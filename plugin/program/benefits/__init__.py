"""The member benefits' rules: trade-in quotes and their workflow, returns, warranty, CTRL F."""
