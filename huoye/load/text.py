"""Load step, first touch: bytes of a content file → text, with its encoding checked.

UTF-8 (with or without BOM, LF or CRLF) is normal. A file saved as GBK/GB18030
(Windows Notepad's default for Chinese) is read correctly with a notice;
UTF-16 (Notepad's "Unicode") is refused with the fix; bytes that are none of
these are reported with their line.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from huoye.content import inside
from huoye.errors import ContentError, Problem, system_says
from huoye.i18n import _

log = logging.getLogger("huoye.load")

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
# Refused: C0 and C1 controls (U+0085 included), the line and paragraph separators U+2028
# and U+2029 (YAML and Python count them as line breaks: every later line number would be
# off), the invisible direction controls (they reorder what a reader sees), non-characters
# and lone surrogates. Tab and newline are the only controls content may hold.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f"
                      "\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


MAX_TEXT_BYTES = 1 << 20  # issue.md and series.yaml: 1 MB (a long issue is ~60 KB)


def read_text(path: Path, root: Path | None = None, limit: int = MAX_TEXT_BYTES) -> str:
    """The file's text with BOM removed and line ends made LF; raises ContentError.

    With `root` (the content folder), a file whose real place (links followed) is outside
    it is refused, not read; a file over `limit` bytes is refused before it is read."""
    try:
        if root is not None and not inside(path, root):
            raise ContentError(Problem(path, None, "file", _(
                "is a link to {target}, outside the content folder; huoye reads nothing "
                "else: copy the file in instead of linking to it").format(target=path.resolve())))
        with path.open("rb") as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise ContentError(Problem(path, None, "file", _(
                "is larger than {limit} MB; an issue is far smaller: check that this is the "
                "right file, or split it").format(limit=limit >> 20)))
    except OSError as err:
        raise ContentError(Problem(path, None, _("file"), _(
            "cannot be read ({reason}); check that it exists and that you may read it").format(
            reason=system_says(err)))) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:200]):
        raise ContentError(Problem(path, 1, _("encoding"),
                                   _("this file is saved as UTF-16 (Notepad's 'Unicode'); save it "
                                     "as UTF-8 (in Notepad: 另存为 → 编码 UTF-8)")))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        text = _not_utf8(path, data, err)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return clean_characters(path, text)


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a BOM: a NUL in every other byte of ASCII text."""
    return len(head) >= 8 and any(head[k::2].count(0) > len(head) // 4 for k in (0, 1))


def _not_utf8(path: Path, data: bytes, err: UnicodeDecodeError) -> str:
    line = data[: err.start].count(b"\n") + 1
    if not _UTF8_MULTIBYTE.search(data[: err.start]):
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            log.warning("%s", _(
                "{path}: this file is saved as GBK/GB18030, not UTF-8; it was read as GB18030. "
                "To silence this notice, save it as UTF-8 (in Notepad: 另存为 → 编码 UTF-8)."
            ).format(path=path))
            return text
    raise ContentError(
        Problem(path, line, _("encoding"),
                _("byte {byte} is not valid UTF-8; save the file as UTF-8 "
                  "and retype the characters on this line").format(byte=f"0x{data[err.start]:02x}"))
    )


def clean_characters(path: Path, text: str) -> str:
    """Refuse control and invisible characters and non-characters, each named at its line
    and column (every one in the file, before anything else reads it); drop zero-width
    characters."""
    problems = []
    for m in _ILLEGAL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        problems.append(Problem(path, line, _("text"), illegal_character(m.group(), column) or ""))
        if len(problems) == 20:
            break
    if problems:
        raise ContentError(problems)
    return _ZERO_WIDTH.sub("", text)


def character_name(ch: str) -> str:
    """'U+2028 LINE SEPARATOR' (controls have no Unicode name: 'U+0007')."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".strip()


def illegal_character(text: str, column: int | None = None) -> str | None:
    """The message for the first character of `text` that content may not hold, or None."""
    m = _ILLEGAL.search(text)
    if not m:
        return None
    if column is None:
        return _("character {char} is not allowed in content; delete it (it is invisible in "
                 "most editors: retype the line)").format(char=character_name(m.group()))
    return _("column {column}: character {char} is not allowed in content; delete it (it is "
             "invisible in most editors: retype the line)").format(
                 column=column, char=character_name(m.group()))
