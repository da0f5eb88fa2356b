"""render step: PowerPoint — the deck's design, made from the bulletin's brand.

series.yaml ``brand`` ──▶ :class:`~huoye.render.deck.pptxkit.DeckTheme` + :class:`Sizes`

Every colour and typeface comes from ``Brand`` (series.yaml); every size and
margin is named here once, so slides.py places boxes by name, never by number.
Sizes are chosen to read from the back of a meeting room: titles 34 pt,
headlines 24 pt, body text 20 pt, nothing the audience must read below 18 pt
(only the footer line and slide number are smaller).

No python-pptx here: shapes are drawn through ``pptxkit``.
"""
from __future__ import annotations

from dataclasses import dataclass

from huoye.errors import RenderError
from huoye.faces import DECK, family
from huoye.i18n import _
from huoye.model import Brand

from .pptxkit import DeckTheme

#: a neutral grey for secondary text: 5.7 : 1 on white, legible from the back
MUTED = "#5E5E5E"
#: hairlines and rules that must not compete with the brand colour
RULE_GREY = "#D0D0D0"


@dataclass(frozen=True)
class Sizes:
    """Type sizes (pt) and spacing of the default design."""

    cover: float = 60  # bulletin name on the title slide
    cover_theme: float = 40  # the theme on the title slide
    title: float = 34  # slide titles
    divider: float = 40  # section title on a divider
    divider_number: float = 96
    message: float = 28  # the editor's note, shortened
    headline: float = 24  # point and recommendation headlines
    body: float = 20  # facts, labels, key message
    small: float = 18  # sources and captions: the floor
    figure: float = 60  # key-figure values
    figure_unit: float = 28
    chart: float = 20  # chart axis and legend text (data labels 2 pt smaller)
    title_spacing: float = 1.2
    body_spacing: float = 1.3
    item_gap: float = 16  # between list items
    max_item_gap: float = 40  # items on a short list spread out to at most this
    title_top: float = 34
    below_title: float = 22  # from the title's bottom to the body
    bar_w: float = 6  # the brand bar left of a slide title
    bar_gap: float = 14


SIZES = Sizes()


def deck_theme(brand: Brand, where: str = "content/series.yaml") -> DeckTheme:
    """The default theme: brand colour for bars, numbers and bullets; ink for text."""
    palette = (brand.colour, brand.accent, "#4A6FA5", "#6B8E5A", "#8C6D9E", "#7F7F7F")
    try:
        return DeckTheme(
            brand=brand.colour,
            accent=brand.accent,
            text_colour=brand.ink,
            muted_colour=MUTED,
            latin_font="Arial",
            east_asian_font=brand.deck_east_asian,
            fallback_east_asian_font=family(brand, DECK),
            title_size=SIZES.title,
            body_size=SIZES.body,
            footer_size=11,
            margin=48,
            footer_height=30,
            line_spacing=SIZES.body_spacing,
            chart_palette=palette,
        )
    except ValueError as err:
        raise RenderError(_("{path}: brand: {reason}; use '#RRGGBB' colours and named fonts").format(
            path=where, reason=err)) from None
