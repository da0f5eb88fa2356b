"""Faces by role: which face draws which class of text — said once, here.

    series.yaml brand.fonts ──▶ **roles** ──▶ the CSS custom properties (render.html)
                                          ──▶ the glyph check (fonts, preflight)
                                          ──▶ the deck's faces (render.deck.theme)
                                          ──▶ the font files a build's stamp records (fonts)

A role names a `Brand` attribute (the family the editor chose) and a weight. The
stylesheets only ever say `var(--serif)`, `var(--sans)` (always bold: there is no
regular sans face to embed) and `var(--kai)`; the deck measures and falls back to
`deck_fallback`. Nothing below the model is imported here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """One class of text and the face that draws it."""

    name: str
    brand_key: str  # the Brand attribute holding the family
    bold: bool
    draws: str  # what text the role draws, in words
    css: str | None = None  # the stylesheet's custom property, for the PDF and HTML roles
    css_fallback: str = "serif"


#: The PDF and HTML edition's roles, in the order the glyph check reports them.
SERIF = Role("serif", "serif", False, "body and all regular text: contents, call-outs, "
             "charts, header, back page", "--serif", "serif")
SANS_BOLD = Role("sans_bold", "sans", True, "headings, key-figure values and emphasis (黑体)",
                 "--sans", "sans-serif")
KAI = Role("kai", "kai", False, "the editor's note", "--kai", "serif")
#: The deck's face: what LibreOffice and machines without the preferred face draw with,
#: and what the deck measures its text with (regular and bold).
DECK = Role("deck", "deck_fallback", False, "every text of the deck")
DECK_BOLD = Role("deck_bold", "deck_fallback", True, "the deck's titles and headlines")

DOCUMENT_ROLES = (SERIF, SANS_BOLD, KAI)
DECK_ROLES = (DECK, DECK_BOLD)
ROLES = {r.name: r for r in (*DOCUMENT_ROLES, *DECK_ROLES)}


def family(brand: object, role: Role) -> str:
    """The family `brand` gives `role`."""
    return str(getattr(brand, role.brand_key))
