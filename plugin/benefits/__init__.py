"""Benefits: devices and the extended warranty, warranty claims, returns, CTRL F, trade-ins."""
