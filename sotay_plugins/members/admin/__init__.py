"""The members plugin's pages in the Wagtail admin: the member register (``members``, with its
``forms`` and ``filters``), the spreadsheet import (``imports``) and the printable QR cards
(``cards``). ``wagtail_hooks.py`` wires them; nothing here registers itself."""
