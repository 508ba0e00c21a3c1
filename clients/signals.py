"""What other parts of Clientbook may follow without the card knowing them."""

from django.dispatch import Signal

# Sent by clients.services.update_client inside its transaction, after the card changed:
# `client` (saved), `fields` (the names of the fields that changed).
card_changed = Signal()
