"""Load step: the sample issue becomes the model the source describes."""
from __future__ import annotations

import datetime as dt
import re

from tests.conftest import RECOMMENDATIONS, ROOT, SAMPLE_FACTS

# the PDF extraction the sample issue was transcribed from (a copy of shared/source/)
SOURCE = ROOT / "tests" / "fixtures" / "caijing-huoye-2020-03.txt"

RECENT = SAMPLE_FACTS["recent_themes"]


def test_it_reads_the_masthead(sample_issue):
    i, facts = sample_issue, SAMPLE_FACTS
    assert (i.year, i.number, i.serial) == (facts["year"], facts["number"], facts["serial"])
    assert i.date == dt.date.fromisoformat(facts["date"])
    assert i.theme == facts["theme"]
    assert i.issue_line == facts["issue_line"]
    assert i.date_line == facts["date_line"]
    assert i.series.publishers == facts["publishers"]
    assert i.note.startswith(facts["note_starts"]) and i.note.endswith(facts["note_ends"])


def test_it_has_seven_sections_with_the_sources_points(sample_issue):
    assert [s.title for s in sample_issue.sections] == SAMPLE_FACTS["sections"]
    assert [len(s.points) for s in sample_issue.sections] == SAMPLE_FACTS["points_per_section"]
    assert [s.is_recommendations for s in sample_issue.sections] == [False] * 6 + [True]


def test_point_headlines_come_from_headings_and_first_sentences(sample_issue):
    s = sample_issue.sections
    assert s[0].points[0].headline == "什么是产业链" and s[0].points[0].style == "heading"
    assert s[1].points[0].headline == "核心基础元器件、零部件设计制造能力不强"
    assert s[1].points[0].style == "lead" and s[1].points[0].label == "1."
    assert s[2].points[0].headline == "成本高企不利于保持我国成本导向型产业链完整性"
    assert s[5].points[0].headline == "注重顶层设计和规划牵引"


def test_all_seven_recommendation_headlines(sample_issue):
    assert [p.headline for p in sample_issue.recommendations.points] == RECOMMENDATIONS


def test_the_back_page_facts(sample_issue):
    assert sample_issue.recent_themes == RECENT
    series = sample_issue.series
    assert [(m.role, m.name) for m in series.staff] == [("业务指导", "杜卓"), ("策划", "连家明"),
                                                         ("采编", "孟宪民")]
    assert (series.address, series.postcode, series.telephone) == (
        "沈阳市和平区南京北街103号", "110002", "(024)22706630")


def _body_source() -> str:
    src = SOURCE.read_text(encoding="utf-8")
    return src[src.index("产业链与产业链现代化\n"): src.index("近期主题一览")]


def _our_body(issue) -> str:
    return "".join(s.title + "".join(p.text for p in s.intro) + "".join(
        pt.label + (pt.headline if pt.style == "heading" else "") + "".join(p.text for p in pt.paragraphs)
        for pt in s.points) for s in issue.sections)


def test_every_chinese_character_of_the_source_body_is_transcribed_in_order(sample_issue):
    """Page breaks rejoined and spacing normalised, but the wording is the authors'."""
    han = re.compile(r"[\u4e00-\u9fff]")
    assert han.findall(_our_body(sample_issue)) == han.findall(_body_source())
    src = SOURCE.read_text(encoding="utf-8")
    note = src[src.index("[按]") + 3:].split("\n")[0]
    assert han.findall(sample_issue.note) == han.findall(note)


def test_every_number_of_the_source_is_kept_in_order(sample_issue):
    number = re.compile(r"\d+(?:\.\d+)?")
    assert number.findall(_our_body(sample_issue)) == number.findall(_body_source())


def test_key_figures_and_charts_are_anchored_to_their_paragraphs(sample_issue):
    figures = {f.label: f for f in sample_issue.figures}
    assert {f.value for f in sample_issue.figures} >= {"41", "207", "666", "12", "-13.5", "37.2", "20", "10"}
    by_id = {p.id: p for p in sample_issue.paragraphs}
    for f in figures.values():
        assert f.sentence in by_id[f.paragraph_id].text
    charts = {c.id: c for c in sample_issue.charts}
    assert len(charts) >= 2
    us = charts["us-imports-2019q1"]
    assert us.categories == ["自我国进口", "自越南进口"] and us.series[0].values == [-13.5, 37.2]
    assert "13.5%" in by_id[us.paragraph_id].text


def test_parts_know_their_source_lines(sample_issue):
    lines = (ROOT / "content/2020-03/issue.md").read_text(encoding="utf-8").split("\n")
    for s in sample_issue.sections:
        assert lines[s.source.line - 1].startswith("## " + s.title)
        for pt in s.points:
            assert pt.headline in lines[pt.source.line - 1]
    assert str(sample_issue.sections[0].source).startswith("content/2020-03/issue.md:") or \
        str(sample_issue.sections[0].source).endswith(f":{sample_issue.sections[0].source.line}")


def test_contents_lists_sections_and_heading_points(sample_issue):
    toc = sample_issue.contents
    assert [e.title for e in toc if e.level == 1] == [s.title for s in sample_issue.sections]
    assert SAMPLE_FACTS["first_heading_point"] in [e.title for e in toc if e.level == 2]
    assert len({e.id for e in toc}) == len(toc)


def test_recent_themes_put_earlier_issues_in_content_first(content_copy):
    from huoye.load import load_archive
    from huoye.scaffold import new_issue

    path = new_issue(content_copy, theme="数字财政", date=dt.date(2020, 5, 25))
    text = path.read_text(encoding="utf-8")  # the editor fills in the placeholders
    path.write_text(text.replace("【待填：", "").replace("】", ""), encoding="utf-8")
    issues = {i.slug: i for i in load_archive(content_copy)}
    assert issues["2020-04"].recent_themes[:2] == [SAMPLE_FACTS["theme"], RECENT[0]]
    assert len(issues["2020-04"].recent_themes) == len(RECENT)
    assert issues["2020-03"].recent_themes == RECENT
    assert (issues["2020-04"].number, issues["2020-04"].serial) == (4, 329)


def test_footnote_texts_are_not_read_as_paragraphs_of_the_body():
    """Consecutive footnote definitions (tests/fixtures/issues/2021-01 has two) are notes
    only: the second was once read back as a paragraph of the last section as well."""
    from huoye.load import load_archive

    corpus = ROOT / "tests" / "fixtures" / "issues"
    [issue] = load_archive(corpus, [corpus / "2021-01"])
    notes = re.findall(r"(?m)^\[\^[^\]]+\]: (.*)$", (issue.folder / "issue.md").read_text("utf-8"))
    assert len(notes) >= 3
    texts = [p.text for a in issue.articles for s in a.sections for p in s.paragraphs]
    texts += [p.text for s in issue.sections for pt in s.points for p in pt.paragraphs]
    assert texts and not [n for n in notes if any(n in t for t in texts)]
