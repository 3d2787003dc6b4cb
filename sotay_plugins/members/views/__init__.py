"""The member-facing pages of the members plugin: the shell (``shell``: home, profile, the
large-type switch) and the member's own QR credential (``qr``). ``urls.py`` routes them."""
