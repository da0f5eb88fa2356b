"""Derive step: summaries for the deck, as Jinja2 filters the outline template calls.

- `headline(point)`: the point's headline (its sub-heading, or the first sentence
  of a numbered paragraph), unless the editor wrote one in `summaries`.
- `supporting_fact(point)`: the first sentence of the point that states a figure
  (a number with a unit such as %、倍、亿、个, not a bare year), trimmed to the
  clauses that carry the figure when it is long; the editor's `fact` wins.
- `key_message(issue)`: the editor's note shortened at sentence boundaries,
  unless the editor wrote `summaries.note`.
- `shorten(text, max_chars)`: leading sentences of `text` within `max_chars`.
- `note_bullets(issue)`: the editor's note as at most three bullets that together
  hold all of it (consecutive sentences grouped), unless the editor wrote
  `summaries.note`.
- `point_gist(point)`: what a points slide shows under a headline: its supporting
  fact, else the first sentence of its text cut at a clause boundary.
- `actions(point)`: two or three concrete actions of a recommendation, drawn from
  its sentences that ask for something (加强, 完善, 建立 …), each cut at a clause
  boundary.
- `byline_lines(article)`, `article_message(article)`: an article's authors with
  their affiliations, and its 内容提要 shortened, for its divider.
- `speaker_notes(points, text)` (used by the deck for every slide): three to five
  talking points, a rule, then the full text.

Rules that keep a figure whole: text is only ever cut at a clause boundary (，；：
or the end of a sentence), and a cut never separates a number from its qualifier
(以上, 左右, 余 …) or unit, because those stay inside their clause.

Editors change what the deck says by editing `templates/deck.yaml.j2` (which
slides, in what order, with which filters) or `summaries` in the issue, not Python.
"""
from __future__ import annotations

import re

from huoye.model import Issue, Point, Source, first_sentence, sentences

FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:余|多)?(?:%|％|倍|亿|万|千|百|个|家|项|名|人|国|种|层|美元|元|日元|吨|纳米|小时|天)"
)
FACT_MAX_CHARS = 48


def headline(point: Point) -> str:
    return point.summary_headline or point.headline


def has_figure(sentence: str) -> bool:
    return bool(FIGURE.search(sentence))


#: figures that say most: shares, multiples and money before counts of things
STRONG_UNITS = ("%", "％", "倍", "亿", "万", "元")


def figure_score(sentence: str) -> int:
    """How informative a sentence's figures are: 2 for a share, multiple or sum of
    money, 1 for any other figure with a unit, summed over its figures."""
    return sum(2 if m.group(0).endswith(STRONG_UNITS) or any(u in m.group(0) for u in STRONG_UNITS)
               else 1 for m in FIGURE.finditer(sentence))


#: Markdown emphasis marks that may be left in a point's text ("**加强预算约束。**严格…":
#: the sentence ends inside the bold)
EMPHASIS = re.compile(r"\*\*|__")


def _body_text(point: Point) -> str:
    text = EMPHASIS.sub("", point.full_text)
    if point.style == "lead":
        text = text[len(first_sentence(text)[0]):]
    return text


def supporting_fact(point: Point, max_chars: int = FACT_MAX_CHARS) -> str:
    """The sentence of the point that carries its most informative figure (the first of
    equals), cut to its clauses with figures; "" where no sentence has a figure."""
    if point.summary_fact:
        return point.summary_fact
    best, score = "", 0
    for s in sentences(_body_text(point)):
        sc = figure_score(s)
        if sc > score:
            best, score = s, sc
    return trim_to_figures(best, max_chars) if best else ""


def point_gist(point: Point, max_chars: int = FACT_MAX_CHARS) -> str:
    """The supporting fact, else the first sentence of the point's own text (after its
    headline) cut at a clause boundary: every headline comes with what it says."""
    fact = supporting_fact(point, max_chars)
    if fact:
        return fact
    for s in sentences(_body_text(point)):
        if s.strip("。！？ ") and s.strip() != point.headline.strip():
            return cut_at_clause(s, max_chars)
    return ""


CLAUSE = re.compile(r"(?<=[，；：])")


def cut_at_clause(sentence: str, max_chars: int = FACT_MAX_CHARS) -> str:
    """The leading clauses of ``sentence`` within ``max_chars`` (at least the first
    clause), ending with 。; a clause is never cut inside."""
    if len(sentence) <= max_chars:
        return sentence
    clauses = [c for c in CLAUSE.split(sentence.rstrip("。！？")) if c]
    out = clauses[0]
    for c in clauses[1:]:
        if len(out) + len(c) > max_chars:
            break
        out += c
    return out.rstrip("，；：") + "。"


def trim_to_figures(sentence: str, max_chars: int = FACT_MAX_CHARS) -> str:
    """A long sentence cut down to whole clauses: those that carry a figure, in order,
    with the clause before the first of them when it is its subject ("截至2018年底，"
    stays with "已有27个"); never a clause without its number, qualifier or unit."""
    if len(sentence) <= max_chars:
        return sentence
    body = sentence.rstrip("。！？")
    clauses = [c for c in re.split(r"[，；]", body) if c]
    idx = [i for i, c in enumerate(clauses) if has_figure(c)]
    if not idx:
        return cut_at_clause(sentence, max_chars)
    best = max(idx, key=lambda i: (figure_score(clauses[i]), -i))
    kept = [best]
    # the clauses with figures next to the best, while they fit
    for i in sorted(idx, key=lambda i: abs(i - best)):
        if i != best and sum(len(clauses[k]) + 1 for k in kept) + len(clauses[i]) <= max_chars:
            kept.append(i)
    first = min(kept)
    if first > 0 and not has_figure(clauses[first - 1]) and \
            sum(len(clauses[k]) + 1 for k in kept) + len(clauses[first - 1]) <= max_chars:
        kept.append(first - 1)  # its subject or time
    last = max(kept)
    if clauses[last].startswith(CONCESSIVE) and last + 1 < len(clauses):
        kept.append(last + 1)  # "虽然……" never without its "但……"
    return "，".join(clauses[k] for k in sorted(kept)) + "。"


#: clause openings that need the clause after them
CONCESSIVE = ("虽然", "虽", "尽管", "如果", "若", "即使", "不仅")


def shorten(text: str, max_chars: int = 120) -> list[str]:
    """Leading sentences of `text` whose total length stays within `max_chars` (at least one)."""
    out: list[str] = []
    total = 0
    for s in sentences(text):
        if out and total + len(s) > max_chars:
            break
        out.append(s)
        total += len(s)
    return out


def key_message(issue: Issue, max_chars: int = 120) -> list[str]:
    return issue.summary_note or shorten(issue.note, max_chars)


def group_sentences(text: str, most: int = 3) -> list[str]:
    """All of ``text`` as at most ``most`` bullets of consecutive sentences, as even in
    length as the sentences allow."""
    parts = sentences(text)
    if len(parts) <= most:
        return parts
    total = sum(map(len, parts))
    out: list[str] = []
    current = ""
    for i, s in enumerate(parts):
        left = len(parts) - i  # sentences still to place, this one included
        slots = most - len(out)
        if current and (len(current) + len(s) / 2 > total / most or left < slots):
            out.append(current)
            current = ""
        current += s
    out.append(current)
    while len(out) > most:  # fold the shortest neighbours together
        i = min(range(len(out) - 1), key=lambda k: len(out[k]) + len(out[k + 1]))
        out[i:i + 2] = [out[i] + out[i + 1]]
    return out


NOTE_BULLET_CHARS = 72


def note_bullets(issue: Issue, most: int = 3, max_chars: int = NOTE_BULLET_CHARS) -> list[str]:
    """The editor's note as at most three bullets that together cover it: its sentences
    grouped in order into three parts, each part said by the leading clauses of its
    sentences within ``max_chars`` (a short note is shown whole)."""
    if issue.summary_note:
        return issue.summary_note
    out = []
    for group in group_sentences(issue.note, most):
        if len(group) <= max_chars:
            out.append(group)
            continue
        bullet = ""
        for s in sentences(group):
            room = max_chars - len(bullet)
            if room < 16 and bullet:
                break
            piece = cut_at_clause(s, room) if bullet else cut_at_clause(s, max_chars)
            if bullet and (len(piece) > room or len(piece) < 16):
                break  # too long for the bullet, or a fragment (a date alone) of a sentence
            bullet += piece
        out.append(bullet)
    return out


#: verbs with which a recommendation asks for something
ACTION_VERBS = ("加强", "完善", "建立", "健全", "推动", "推进", "支持", "鼓励", "设立", "实施",
                "加大", "优化", "引导", "探索", "培育", "提高", "提升", "强化", "落实", "制定",
                "建设", "打造", "发挥", "构建", "扩大", "降低", "减少", "严格", "规范", "统筹",
                "加快", "深化", "坚持", "着力", "注重", "积极", "重点", "要", "应", "需")
ACTION_MAX_CHARS = 40


def actions(point: Point, most: int = 3, max_chars: int = ACTION_MAX_CHARS) -> list[str]:
    """Two or three concrete actions of a recommendation: its sentences that ask for
    something (they contain one of :data:`ACTION_VERBS`), in order, each cut at a clause
    boundary; the first sentences of its text when none does."""
    body = [s for s in sentences(_body_text(point)) if s.strip("。！？ ")]
    asking = [s for s in body if any(v in s for v in ACTION_VERBS)]
    chosen = (asking or body)[:most]
    if len(chosen) < 2:
        # one long sentence: its clauses that ask for something are the actions
        clauses = [c for s in chosen for c in re.split(r"[；]", s.rstrip("。")) if c]
        if len(clauses) > 1:
            chosen = [c + "。" for c in clauses[:most]]
    return [trim_to_figures(s, max_chars) if has_figure(s) else cut_at_clause(s, max_chars)
            for s in chosen]


#: a recommendation's actions shorter than this share a slide with a neighbour's
THIN_ACTIONS_CHARS = 40


def action_slides(points: list[Point], summary_shows_first: bool = False,
                  heading: str = "对策建议") -> list[dict]:
    """One slide per recommendation, titled with its label and headline, listing its
    actions; a recommendation with too little to say (one short action) shares a slide
    with the next one (or the one before), each then shown as headline + actions.
    With ``summary_shows_first`` (the summary slide already shows each first action),
    a slide that would add nothing to it is left out."""
    def thin(p: Point) -> bool:
        return sum(map(len, actions(p))) < THIN_ACTIONS_CHARS

    groups: list[list[Point]] = []
    for p in points:
        if groups and (thin(p) or (len(groups[-1]) == 1 and thin(groups[-1][0]))) \
                and len(groups[-1]) < 2:
            groups[-1].append(p)
        else:
            groups.append([p])
    if len(groups) > 1 and len(groups[-1]) == 1 and thin(groups[-1][0]) and len(groups[-2]) < 3:
        groups[-2:] = [groups[-2] + groups[-1]]
    out = []
    for g in groups:
        if summary_shows_first and all(len(actions(p)) <= 1 for p in g):
            continue  # every action of these is on the summary already
        if len(g) == 1:
            p = g[0]
            out.append({"title": p.label + headline(p), "point": p, "notes": point_text(p),
                        "items": [{"headline": a, "fact": ""} for a in actions(p)]})
        else:
            out.append({"title": heading + "：" + "、".join(p.label.strip("．.、 ") for p in g),
                        "point": None, "notes": "\n\n".join(point_text(p) for p in g),
                        "items": [{"headline": p.label + headline(p), "fact": "".join(actions(p))}
                                  for p in g]})
    return out


def section_gist(section, max_chars: int = FACT_MAX_CHARS) -> str:
    """A section in a line, for an agenda too thin on its own: its points' headlines
    (as many whole ones as fit), else the first sentence of its introduction."""
    heads = [headline(p) for p in section.points]
    out = ""
    for h in heads:
        if out and len(out) + len(h) + 1 > max_chars:
            break
        out += ("、" if out else "") + h.rstrip("。")
    if out:
        return out
    text = "".join(b.text for b in section.intro if getattr(b, "kind", "") == "paragraph")
    first = sentences(text)
    if not first:
        return ""
    sentence = first[0]
    if sentence.endswith(("：", ":")):  # a lead-in to a list: what it says before the first colon
        clauses = [c for c in CLAUSE.split(sentence) if c]
        end = next(i for i, c in enumerate(clauses) if c.endswith(("：", ":")))
        sentence = "".join(clauses[:end + 1]).rstrip("，；：:") + "。"
    return cut_at_clause(sentence, max_chars)


def byline_lines(article) -> list[str]:
    """The article's authors, those of one affiliation together: "陈明　刘洋（某大学）"."""
    groups: list[tuple[str, list[str]]] = []
    for a in article.authors:
        if groups and groups[-1][0] == a.affiliation:
            groups[-1][1].append(a.name)
        else:
            groups.append((a.affiliation, [a.name]))
    return ["　".join(names) + (f"（{aff}）" if aff else "") for aff, names in groups]


def article_message(article, max_chars: int = 90) -> list[str]:
    """What an article's divider carries: its 内容提要 shortened, else its preamble."""
    if article.abstract is not None and article.abstract.text.strip():
        return shorten(article.abstract.text, max_chars)
    text = "".join(b.text for b in article.preamble if getattr(b, "kind", "") == "paragraph")
    return shorten(text, max_chars) if text.strip() else []


def is_short(bullets: list[str], max_chars: int = 60) -> bool:
    """A message so short that a divider should carry it instead of a slide of its own."""
    return sum(len(b) for b in bullets) <= max_chars


#: the line between a slide's talking points and the full text in its speaker notes
NOTES_RULE = "——————————"


def talking_points(points: list[str], text: str, least: int = 3, most: int = 5) -> list[str]:
    """Three to five talking points: the slide's own points, topped up with the leading
    sentences of the full text (cut at a clause boundary) when there are fewer than
    three."""
    out = [p.strip() for p in points if p and p.strip()][:most]
    for s in sentences(text.replace("\n", "")):
        if len(out) >= least:
            break
        s = cut_at_clause(s, FACT_MAX_CHARS)
        if s and all(s not in o and o not in s for o in out):
            out.append(s)
    return out


def speaker_notes(points: list[str], text: str) -> str:
    """A slide's speaker notes: talking points ("• …"), a rule, then the full text."""
    lines = [f"• {p}" for p in talking_points(points, text)]
    if not lines:
        return text
    return "\n".join(lines) + "\n" + NOTES_RULE + "\n" + text


def point_text(point: Point) -> str:
    """The full text of a point for speaker notes: label, headline, its blocks (tables,
    quotes and lists as text), its sub-points and the footnotes it cites."""
    notes = point.notes_text
    return point.labelled_text + ("\n" + notes if notes else "")


def blocks_text(blocks) -> str:
    """Blocks as speaker-notes text, each followed by the footnotes it cites."""
    out = []
    for b in blocks:
        out.append(b.text)
        notes = [n for p in b.inlines() for n in p.notes]
        out += [f"注{n.number}：{n.text}" for n in notes]
    return "\n".join(out)


def article_text(article) -> str:
    """An article's title, byline, 内容提要, 关键词, preamble and 参考文献 for speaker notes."""
    parts = [article.front_text]
    if article.abstract and article.abstract.notes:
        parts.append(article.abstract.notes_text)
    if article.preamble:
        parts.append(blocks_text(article.preamble))
    if article.references:
        parts.append(article.references_title)
        parts += [r.text for r in article.references]
        parts += [p.notes_text for p in (r.paragraph for r in article.references) if p.notes]
    return "\n".join(p for p in parts if p)


def summary_texts(issue: Issue) -> list[tuple[str, Source, str]]:
    """Every summary of the issue, as the deck shows it, with the content it comes from:
    the key message and each point's headline and supporting fact. The one place
    summaries are derived for anything but the outline's filters (the deck's glyph
    check, the preflight's content places)."""
    out = [("".join(key_message(issue)), issue.source, "summaries.note")]
    for section in issue.sections:
        for point in section.points:
            out.append((headline(point), point.source, "summaries.points.headline"))
            fact = supporting_fact(point)
            if fact:
                out.append((fact, point.source, "summaries.points.fact"))
    return out


FILTERS = {
    "headline": headline,
    "supporting_fact": supporting_fact,
    "key_message": key_message,
    "shorten": shorten,
    "point_text": point_text,
    "blocks_text": blocks_text,
    "article_text": article_text,
    "note_bullets": note_bullets,
    "point_gist": point_gist,
    "actions": actions,
    "action_slides": action_slides,
    "section_gist": section_gist,
    "byline_lines": byline_lines,
    "article_message": article_message,
    "is_short": is_short,
}
