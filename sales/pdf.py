"""The order as a PDF, in the CID font and through the one text-to-markup helper of crm.pdf."""

from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from crm import pdf


def order_pdf(*, order, lines) -> bytes:
    font = pdf.font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22)
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=str(order.number))
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        rows = [[_("Product"), _("Quantity"), _("Unit price"), _("Discount (%)"), _("Line total")]]
        for line in lines:
            name = line.product.name + (f"\n{line.description}" if line.description else "")
            cell = pdf.paragraph(name, body)
            rows.append(
                [cell, line.quantity, f"{line.unit_price:,.2f}", f"{line.discount_percent}", f"{line.line_total:,.2f}"]
            )
        rows.append(["", "", "", _("Subtotal"), f"{order.subtotal:,.2f}"])
        rows.append(["", "", "", _("Discount"), f"-{order.discount_total:,.2f}"])
        rows.append(["", "", "", _("Total"), f"{order.total:,.2f} {order.currency}"])
        table = Table(rows, colWidths=[70 * mm, 20 * mm, 28 * mm, 26 * mm, 30 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("GRID", (0, 0), (-1, -4), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )

        def field(label, value):
            # The label translated by the caller: makemessages does not look inside an f-string.
            return pdf.paragraph(f"{label}: {value}", body)

        story = [
            pdf.paragraph(_("Sales order %(number)s") % {"number": order.number}, title),
            field(_("Customer"), order.customer.name),
            field(_("Order date"), date_format(order.ordered_on, "SHORT_DATE_FORMAT")),
            field(_("Status"), order.get_status_display()),
            field(_("Owner"), order.owner),
            Spacer(1, 6 * mm),
            table,
        ]
        if order.notes:
            story += [Spacer(1, 4 * mm), pdf.paragraph(order.notes, body)]
        doc.build(story)
    return out.getvalue()
