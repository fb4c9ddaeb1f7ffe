"""The read-only resolver: serves committed artifacts over HTTP (DESIGN §6)."""
