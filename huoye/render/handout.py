"""Render step: the handout — the deck as an A4 PDF for the people at the meeting.

    issue ──deck.draw (templates/deck.yaml.j2)──▶ slide records ──templates/handout.html.j2──▶
    ──WeasyPrint──▶ PDF bytes

Each slide of the deck, as drawn from the same outline (titles, texts, a chart's data
as a sentence, a table's rows), beside its talking points, three slides to a page.
LibreOffice is not involved: it stays a test tool.  ``--format handout`` asks for it;
it is not among the formats built by default.
"""
from __future__ import annotations

from huoye.render.templating import render_template

TEMPLATE = "handout.html.j2"


def render(issue, options) -> bytes:
    from weasyprint import HTML

    from huoye.render.deck import draw

    deck = draw(issue, options)
    brand = issue.series.brand
    html = render_template(options.templates, TEMPLATE, issue=issue, slides=deck.records,
                           sans=brand.sans, colour=brand.colour)
    document = HTML(string=html, base_url=str(options.templates))
    return document.write_pdf(pdf_tags=True, font_config=_font_config())


def _font_config():
    """WeasyPrint's font configuration, shared with the PDF briefing's in one process."""
    from huoye.render.pdf import _font_config as shared

    return shared()
