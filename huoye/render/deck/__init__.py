"""render step: PowerPoint — builds the slide deck.

``measure`` measures and wraps text with the real font metrics; ``pptxkit`` is the
thin python-pptx layer.  Content logic never touches python-pptx shapes or XML:
it goes through ``pptxkit``.
"""
