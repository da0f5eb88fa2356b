"""Render step support: huoye's adapters of the one WeasyPrint version it pins.

The PDF renderer (``huoye.render.pdf``) runs WeasyPrint with small adapters that
replace a few private WeasyPrint attributes, so each is pinned to ``VERSION``, the
version pyproject.toml pins (a test keeps the two equal):

* ``justify``: CJK justification, adjacent punctuation pairs compressed to 1.5 em,
  punctuation at line edges compressed where a line needs to lose space, no lone last
  characters; the limits of all of huoye's typesetting (``LIMITS``);
* ``balance``: a page that ends short before a heading filled by more space above
  its headings;
* ``leaders``: one text box per contents leader;
* ``subset``: compact CID-keyed CFF font subsets;
* ``tagging``: running heads, page numbers and contents leaders as artifacts, list
  item bodies in ``LBody`` (the PDF/UA variant passes a PDF/UA checker);
* ``preparsed``: WeasyPrint imported with its C declarations pre-parsed;
* ``tree``: a document parsed in one process (the build's) and laid out in another
  (the early PDF process, which is still loading WeasyPrint meanwhile);
* ``pinned``: what the adapters share (``Adapter``, ``UnsupportedWeasyPrint``).

On any other WeasyPrint an adapter raises ``UnsupportedWeasyPrint`` and the renderer
goes on without it, with a warning naming the consequence.
"""
from __future__ import annotations

VERSION = "70.0"  # the WeasyPrint release the adapters were written and tested for
