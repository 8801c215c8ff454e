"""The email's size budget: Gmail hides everything past about 102 KB of HTML ("[Message
clipped]"), the footer's unsubscribe link included, so an edition must stay under it.

Size is measured as the HTML travels: quoted-printable, as ``delivery.mime`` writes it (and
as SendGrid does), where each Hangul syllable takes 9 bytes, not 3. Past ``BUDGET_BYTES``
the email keeps the stories that fit and ends with a line pointing to the web edition.
"""

from __future__ import annotations

import binascii

GMAIL_CLIP_BYTES = 102 * 1024
# Where trimming starts and the desk warns: leaves room for each reader's links and address
# (a few hundred bytes) and for a client's own additions.
BUDGET_BYTES = 90 * 1024


def sent_size(html: str) -> int:
    """Bytes of the HTML part as sent: UTF-8, quoted-printable, CRLF line ends."""
    encoded = binascii.b2a_qp(html.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return len(encoded) + encoded.count(b"\n")
