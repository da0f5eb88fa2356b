"""Write huoye/render/deck/data/liberation-sans-widths.json: the advance widths of
Liberation Sans Regular and Bold (Arial's metric twin, SIL OFL 1.1), the table the deck
measures Latin text with whatever fonts the build machine has.

    apt-get download fonts-liberation && dpkg -x fonts-liberation_*.deb x
    python scripts/liberation_widths.py x/usr/share/fonts/truetype/liberation

Widths are stored per code point in font units (the file says its unitsPerEm), as runs
"first code point: [widths of consecutive code points]" to keep the file small.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parent.parent / "huoye/render/deck/data/liberation-sans-widths.json"


def table(path: Path) -> tuple[int, dict[str, list[int]]]:
    font = TTFont(path)
    upem = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    cmap = font.getBestCmap()
    runs: dict[str, list[int]] = {}
    start = prev = None
    for cp in sorted(cmap):
        width = hmtx[cmap[cp]][0]
        if prev is not None and cp == prev + 1:
            runs[str(start)].append(width)
        else:
            start = cp
            runs[str(cp)] = [width]
        prev = cp
    return upem, runs


def main(folder: str) -> None:
    out = {"source": "Liberation Sans 1.07.4 (Debian fonts-liberation), SIL Open Font License 1.1"}
    for style, name in (("regular", "LiberationSans-Regular.ttf"), ("bold", "LiberationSans-Bold.ttf")):
        upem, runs = table(Path(folder) / name)
        out["units_per_em"] = upem
        out[style] = runs
    OUT.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
