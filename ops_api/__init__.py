"""The read-only resolver: committed artifacts over HTTP, latest or as of any git ref."""
