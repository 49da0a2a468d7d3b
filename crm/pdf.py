"""What every PDF the project writes shares: the Chinese font and the one way text becomes ReportLab
markup.

ReportLab's Paragraph reads its text as markup: `<img src=…>` would embed a file from the server's
disk, `<a href=…>` would put a link into the document and a stray `<` fails the whole build. So every
piece of text that reaches a Paragraph passes through `markup` (or `paragraph`), never anything else.
STSong-Light is a CID font every PDF reader supplies, so no font file ships with the project.
"""

from xml.sax.saxutils import escape

# reportlab is imported by the functions that draw: most processes never write a PDF.

FONT = "STSong-Light"

# saxutils.escape covers &, < and >; quotes matter inside the attributes of the few tags we write.
_QUOTES = {'"': "&quot;", "'": "&#39;"}


def font() -> str:
    """The registered name of the Chinese CID font, registering it on first use."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def markup(value) -> str:
    """Any value as Paragraph markup that shows exactly its text; line breaks stay line breaks."""
    if value is None:
        return ""
    return escape(str(value), _QUOTES).replace("\n", "<br/>")


def paragraph(value, style):
    """A Paragraph showing `value` as plain text."""
    from reportlab.platypus import Paragraph

    return Paragraph(markup(value), style)
