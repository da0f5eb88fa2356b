"""Tests for huoye.render.weasyprint.justify: CJK justification adapter for the pinned WeasyPrint.

The layout checks render real paragraphs of the seed bulletin (财经活页 2020-03) in a
column 40.95 em wide, so that bare WeasyPrint leaves pure-Chinese lines ~1 em short
of the right edge, and measure them with huoye's own measure (huoye.typography: the same
definitions as the user's cjk-typography.py), read back from the PDF by poppler.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

weasyprint = pytest.importorskip("weasyprint")

from huoye import typography
from huoye.render.weasyprint import VERSION, justify

# Real paragraphs of the seed bulletin, with digits, Latin words and spaces.
PARAGRAPHS = (
    (
        '[按]产业是经济发展的关键，是一个国家的立国之本。我国虽然是制造业大国，但还不是'
        '全球产业链中的制造业强国，与美国、日本、德国的制造业相比还有不小的差距，特别在基'
        '础研发、高端核心零部件、质量品牌等方面仍存在不少短板，产业风险不容忽视。2019'
        '年底召开的中央经济工作会议强调，要健全体制机制，打造一批有国际竞争力的先进制造业'
        '集群，提升产业基础能力和产业链现代化水平。在国际竞争加剧、国内部分制造业产业链外'
        '迁速度加快的背景下，中央做出这一决策部署，具有鲜明的时代背景和很强的针对性，为今'
        '后一个时期我国产业升级和高质量发展指明了方向和目标。进入2020年，新冠疫情在世'
        '界扩散蔓延，对全球主要经济体都产生了较大影响，使世界经济贸易增长受到严重冲击。2'
        '020年3月26日，习近平总书记在二十国集团领导人应对新冠肺炎特别峰会上指出，“'
        '各国应该联手……共同维护全球产业链供应链稳定”。因此，我国需要在积极布局本国产业'
        '链的同时，维护全球产业链的平稳有序，防止世界经济陷入衰退。'
    ),
    (
        '产业链与供应链的区别主要体现在三点，一是出发点不同。供应链是从单个企业出发，涉及'
        '的是企业产品。产业链是从整个产业出发，涉及的产品是整个产业的产品。二是主体不同。'
        '供应链的主体是企业及企业相关的供应商、销售商和用户。产业链的主体是行业或行业协会'
        '。三是范围不同。供应链涉及的范围只是供应链核心企业的上下游，产业链的范围更广，是'
        '大于供应链的。以汽车为例，供应链上游主要是发动机到螺丝的零配件和材料，包括油漆、'
        '钢板和皮革塑料等等。下游主要是经销商和零售商，包括计划、采购、制造、配送和退退货'
        '等。而产业链除了供应链的上下游之外，还包括创意设计、汽车地产、汽车展、汽车赛事、'
        '消费金融（生产性融资和消费信贷）、汽车租赁、汽车软件服务、加油加气充电站、导航、'
        '维修、保养等围绕汽车本身全方位的东西，只要对汽车业有重大影响的都可以纳入汽车产业'
        '链。'
    ),
    (
        '新中国成立以来，我国产业经济实现了跨越式发展。70年间，我国工业增加值增长超97'
        '0倍，形成了独立完整的现代工业体系，拥有41个大类、207个中类、666个小类，'
        '是全世界唯一拥有联合国产业分类中所列全部工业门类的国家。然而，我国产业经济大而不'
        '断强的局面尚未得到根本扭转。在“孤岛主义”盛行的背景下，产业基础能力不强，产业链'
        '现代化水平不高，产业经济安全风险高企。'
    ),
    (
        '5.基础软件设计与生态化应用不足。在“软件定义一切”的态势下，基础软件的作用愈发'
        '凸显。如操作系统中的 Windows（电脑），Android 和 iOS（手机）'
        '处于垄断地位。又如被称为“芯片之母”的 EDA 工具的供应商中，美国的 Syno'
        'psys、Cadence 和西门子的 Mentor Graphics “三巨头”'
        '处于垄断地位。'
    ),
    (
        '当前，我国营商环境出现了明显改善，但在一些方面仍然存在束缚市场主体活力、阻碍市场'
        '和价值规律发挥作用的弊端。突出表现为：在要素获得方面，由于要素市场发育不充分，民'
        '营企业和中小微企业难以依法平等使用资源要素。在产权保护方面，“四梁八柱”的保护制'
        '度已经建立起来，但在制度落实和执行力度方面还有待加快。在公平竞争方面，民营企业市'
        '场准入方面还存在一些壁垒，一些地方还存在妨碍统一市场和公平竞争的规定和做法。在科'
        '技创新方面，符合科研规律的科技管理制度和政策体系还不健全，尚未能充分激发创新人才'
        '的积极性和市场主体的创新力。此外，我国高技术产业供应链存在安全性风险。改革开放特'
        '别是加入 WTO 以来，我国电子信息、装备制造等高技术产业快速发展，但主要集中在'
        '中低端制造和下游加工组装环节，上游基础材料、关键零部件、核心技术设备、主要软件等'
        '仍然掌握在外资企业手里。从未来趋势看，一些国家对我国高技术产业的围堵和打压可能不'
        '会减弱，这意味着我国高技术产业始终存在“断供”风险，产业链供应链安全性面临一定挑'
        '战。'
    ),
    (
        '从美国《2019 年国防授权法案》相关条款以及近期一系列对华打压、制裁、围堵等行'
        '为看，经济切割、产业切割、科技切割，在科技上与我国“脱钩”，全面遏制我国高科技崛'
        '起，在美国已成为跨越党派分歧的共识。美方不希望我国通过自主研发或并购的方式获取这'
        '些核心技术，形成替代性产业链。同时，美国在科技领域也开始对我国采取全面的竞争对抗'
        '性政策。美国已全面修订现行出口管制法规，强化“长臂管辖”行为。特朗普签署的《20'
        '19 财年国防授权法案》的重要组成部分《出口管制改革法案》提高了对外国控股公司，'
        '特别是我国公司的限制条件，增加了对“新兴和基础技术”的出口管制，建立了跨部门协商'
        '机制以提高执法能力。商务部工业安全局 2018 年 11 月 19 日列出了美国'
        '政府拟议管制的 14 个“具有代表性的新兴技术”清单，涵盖 5G、人工智能、微处'
        '理器技术、先进计算技术、机器人、3D 打印、量子信息、先进材料和生物技术等领域。'
        '美国以“违反美国国家安全或外交政策”利益为由，将 44 家我国机构列入“实体清单'
        '”，强化对华技术出口封锁。我国产业链、供应链存在“断链风险”。'
    ),
    (
        '近年来，我国向全球价值链和产业链上游攀升主要是在资本品（用于制造其他商品的 商品'
        '）和零部件领域，这也改变了我国与发达国家之间的贸易。根据世界银行发布的数据，20'
        '07 年-2017 年十年中，我国在全球资本品市场的份额从大约 5%上升到 20'
        '%以上。从贸易结构和商品结构看，我国出口美国商品中电信和运输设备以及汽车零部件所'
        '占比例增长，而纺织品和鞋类所占比例缩减。美国国家科学基金会（National S'
        'cience Foundation）发布'
    ),
    (
        '的《美国科学与工程指标 2018》数据显示：随着企业持续投资研发设施并与学术界的'
        '合作增加，我国工业有望向新兴和复杂的技术方向发展。在中端高科技产业，我国现在占主'
        '导地位，其全球份额在过去十年间几乎增长了两倍，达到 32%，2009 年超过了美'
        '国，2012 年又超过了欧盟。2018 年我国高科技产品进出口总额约为对外贸易总'
        '额的 30.7%，出口商品里工业品占比超过 90%，而出口的高科技产品占比也超过'
        '了 30%。美国对华技术阻断和“脱钩”对未来我国高科技出口的深远影响会更加凸显。'
    ),
    (
        '截至 2020 年 3 月 29 日，全球新冠肺炎累计确诊超过 66 万人，19'
        '9 个国家和地区有确诊病例，已经有超过 60 个国家宣布进入紧急状态，亚洲、欧洲'
        '、美洲相继成为重灾区，工厂停工、商店停业、学校停课，世界经济正在遭受前所未有的巨'
        '大挑战。这是 1945 年二次世界大战结束以来，全球经济体系面临的巨大整体威胁。'
        '因疫情导致的国际经贸往来的阻隔甚至中断，给我国产业链发展带来巨大的挑战和危机。与'
        '此同时，由于我国的积极应对，疫情也带来一些新的机遇。'
    ),
    (
        '2.注重发挥企业和平台作用。企业是产业竞争和技术创新的主体，也是产业链的基本单元'
        '，产业基础能力提升和产业链现代化水平归根结底需要落实到企业中去。为推动半导体产业'
        '发展，1976年3月，日本政府联合日立、NEC、富士通、三菱、东芝等启动了VLS'
        'I（超大规模集成电路）计划，筹集资金737亿日元，其中通产省补助291亿日元，几'
        '乎相当于通产省的一半支出。VLSI完成于1980年，不仅直接促进了日本集成电路产'
        '业的发展，其溢出效应更是提升了日本产业整体竞争力。这期间，形成的共性研究机构和联'
        '盟关系发挥了重要作用。为了应对日本的挑战，1987年，美国“仿效”建立了SEMA'
        'TECH（半导体制造技术联盟），14家企业加入，共同开发半导体领域的关键共性技术'
        '。为了实现“再工业化”，2012年美国成立了15个制造业创新研究院。英国也建设了'
        '一批技术与创新研'
    ),
    (
        '4.注重制度创新和政策保障。为了持续夯实产业基础能力,发达国家通过制定法律法规形'
        '成制度性保障机制,并通过政策给予具体支持。美国20世纪90年代通过了《高性能计算'
        '法案》,为美国在高性能计算领域保持领先地位奠定制度基石。为应对金融危机,美国20'
        '09年颁布《美国制造业促进法案》,为再工业化提供支持。美国通过《联邦采购法》,扶'
        '持了IBM、德州仪器等一批信息产业龙头公司,通过《出口管理条例》对关键零部件技术'
        '出口进行限制,确保本国利益。日本1956年的《机械工业振兴临时措施法》,扶持通用'
        '基础零部件、工作母机、测试设备的发展,《电子工业振兴临时措施法》为电子工业企业提'
        '供贷款、税赋、出口、引进等方面的优惠待遇。进入21世纪,以生命科学、信息通信、环'
        '境、纳米技术与材料四个领域为重点推进落实《Focus21技术研发计划》,而“超智'
        '能社会5.0”则希望通过智能化技术在解决相关经济和社会需求的过程中强化产业竞争力'
        '。吸引和培育人才一直是发达国家相关政策中的重点,技能人才的素质高低直接影响产品品'
        '质,德国二元制职业教育为“德国制造”输送了大量优秀的产业工人。'
    ),
)

CSS = """
@page { size: A4; margin: 25mm }
body { margin: 0; font-family: 'Noto Serif CJK SC'; font-size: 10.5pt; line-height: 1.8 }
p { width: 430pt; margin: 0; text-indent: 2em; text-align: justify }
"""


def _html(paragraphs=PARAGRAPHS, css=CSS):
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"<html lang='zh-CN'><head><meta charset='utf-8'><style>{css}</style></head>" \
        f"<body>{body}</body></html>"


class _Measure:
    """huoye.typography seen through the interface of the user's cjk-typography.py."""

    @staticmethod
    def measure(pdf):
        figures = typography.measure(str(pdf), body_pages=range(100))  # every page is body text
        return figures.continued, figures.flush, len(figures.bad_starts), figures

    @staticmethod
    def lines_of(pdf):
        for line in typography.pdf_lines(pdf):
            yield line.page, line.text, list(line.box)


def _measure_module():
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is not installed: run scripts/setup.sh test")
    return _Measure


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """The sample rendered without and with the adapter."""
    assert not justify.installed()
    folder = tmp_path_factory.mktemp("justify")
    bare, adapted = folder / "bare.pdf", folder / "adapted.pdf"
    weasyprint.HTML(string=_html()).write_pdf(bare)
    with justify.cjk_justification():
        weasyprint.HTML(string=_html()).write_pdf(adapted)
    return bare, adapted


def test_flush_and_no_closing_punctuation_at_line_start(pdfs):
    measure = _measure_module().measure
    bare, adapted = pdfs
    full, flush, badstart, figures = measure(str(adapted))
    assert full >= 60, "sample too small to measure"
    assert flush / full >= 0.95, f"only {flush}/{full} continued lines flush"
    assert badstart == 0 and not figures.bad_ends
    # The sample does discriminate: bare WeasyPrint leaves these lines ragged.
    full, flush, _, _ = measure(str(bare))
    assert flush / full < 0.5


def test_text_extraction_is_clean(pdfs):
    _, adapted = pdfs
    text = _pdftotext(adapted)
    assert not re.search("[\u200b-\u200f\u2060\ufeff\u00ad]", text)
    assert re.sub(r"\s", "", text) == re.sub(r"\s", "", "".join(PARAGRAPHS))


def _lines(module, pdf):
    """Text lines as (text, [xMin, yMin, xMax, yMax]), pdftotext pieces on one baseline merged."""
    rows: dict = {}
    for page, text, box in module.lines_of(str(pdf)):
        rows.setdefault((page, round(box[3], 1)), []).append((box[0], text, box))
    merged = []
    for key in sorted(rows):
        pieces = sorted(rows[key], key=lambda piece: piece[0])
        boxes = [box for _, _, box in pieces]
        merged.append(("".join(text for _, text, _ in pieces),
                       [min(b[0] for b in boxes), min(b[1] for b in boxes),
                        max(b[2] for b in boxes), max(b[3] for b in boxes)]))
    return merged


def test_last_lines_not_stretched_and_breaks_unchanged(tmp_path):
    """Justification moves no break: on paragraphs without adjacent punctuation (whose
    compression does move breaks, on purpose) the lines are those of bare WeasyPrint."""
    module = _measure_module()
    plain = [p for p in PARAGRAPHS if not justify.compressed_marks(p)]
    assert len(plain) >= 5
    pdfs = tmp_path / "bare.pdf", tmp_path / "adapted.pdf"
    weasyprint.HTML(string=_html(plain)).write_pdf(pdfs[0])
    with justify.cjk_justification():
        weasyprint.HTML(string=_html(plain)).write_pdf(pdfs[1])
    bare, adapted = (_lines(module, pdf) for pdf in pdfs)
    assert [t for t, _ in bare] == [t for t, _ in adapted], "justification changed line breaks"
    left = min(box[0] for _, box in adapted)
    right = max(box[2] for _, box in adapted)
    em = 10.5
    lasts = short = 0
    for i, (text, box) in enumerate(adapted):
        last = i + 1 == len(adapted) or adapted[i + 1][1][0] - left > em  # next one indented
        if last:
            lasts += 1
            short += right - box[2] > em
            assert box[2] == pytest.approx(bare[i][1][2], abs=0.01), f"last line stretched: {text}"
        else:
            assert right - box[2] < 0.6 * em, f"line not flush: {text}"
    assert lasts == len(plain)
    assert short >= len(plain) - 2, "sample has too few short last lines to check"


def test_latin_text_is_justified_like_weasyprint(tmp_path):
    """Text without CJK gets exactly WeasyPrint's space justification (kerning kept)."""
    module = _measure_module()
    english = ["The quick brown fox jumps over the lazy dog; AVATAR, Office, WAVE. " * 6]
    css = CSS.replace("Noto Serif CJK SC", "DejaVu Serif")
    pdfs = tmp_path / "bare.pdf", tmp_path / "adapted.pdf"
    weasyprint.HTML(string=_html(english, css)).write_pdf(pdfs[0])
    with justify.cjk_justification():
        weasyprint.HTML(string=_html(english, css)).write_pdf(pdfs[1])
    bare, adapted = (_lines(module, pdf) for pdf in pdfs)
    assert len(bare) > 3
    assert [t for t, _ in bare] == [t for t, _ in adapted]
    for (_, a), (_, b) in zip(bare, adapted):
        assert a == pytest.approx(b, abs=0.02)


def test_drawing_after_uninstall_keeps_spacing(tmp_path):
    """A document laid out under the adapter stays justified if written after it is removed."""
    module = _measure_module()
    with justify.cjk_justification():
        document = weasyprint.HTML(string=_html(PARAGRAPHS[:2])).render()
    assert not justify.installed()
    pdf = tmp_path / "late.pdf"
    document.write_pdf(pdf)
    full, flush, badstart, _ = module.measure(str(pdf))
    assert full and flush / full >= 0.95 and badstart == 0


def test_patch_is_reverted_and_idempotent():
    from weasyprint.layout import inline

    original = inline.justify_line
    assert not justify.installed()
    with justify.cjk_justification():
        assert justify.installed()
        patched = inline.justify_line
        assert patched is not original
        justify.install()  # idempotent
        assert inline.justify_line is patched
        with justify.cjk_justification():  # nested: inner exit keeps it installed
            pass
        assert inline.justify_line is patched
    assert inline.justify_line is original
    assert not justify.installed()
    justify.uninstall()  # idempotent
    assert inline.justify_line is original
    with pytest.raises(KeyError), justify.cjk_justification():
        raise KeyError("boom")
    assert inline.justify_line is original


def test_refuses_untested_weasyprint(monkeypatch):
    from weasyprint.layout import inline

    original = inline.justify_line
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(justify.UnsupportedWeasyPrint, match="71.0"):
        justify.install()
    assert inline.justify_line is original and not justify.installed()
    assert justify.SUPPORTED_WEASYPRINT == {VERSION}


@pytest.mark.parametrize("gaps", [
    [1.0] * 6,                       # pure CJK line: layout edges on both sides
    [1.0, 1.0, 0, 0, 1.0, 1.0, 1.0],  # 中中AB中中中 style: Latin word in the middle
    [0, 1.0, 1.0, 0],                 # AB中中CD
    [0, 1.0, 1.0, 1.0, 0],            # AB中中中CD: over-determined stretch
    [0.5, 0.5, 0, 0.5, 0.5],          # spaces between words
])
def test_letter_spacing_model(gaps):
    """Pango gives gap i (v[i] + v[i+1]) / 2; the solver meets the wanted gaps."""
    values = justify._letter_spacings(gaps)
    assert len(values) == len(gaps) + 1
    achieved = [(a + b) / 2 for a, b in itertools.pairwise(values)]
    for i, gap in enumerate(gaps):
        if gap == 0:  # inside a Latin word: both characters keep 0, one Pango item
            assert values[i] == values[i + 1] == 0
    assert sum(achieved) == pytest.approx(sum(gaps))
    assert max(abs(a - g) for a, g in zip(achieved, gaps)) <= 0.5 * max(gaps)


def test_opportunities():
    assert justify.is_opportunity("中", "文")
    assert justify.is_opportunity("中", "A") and justify.is_opportunity("9", "年")
    assert justify.is_opportunity("，", "A")
    assert not justify.is_opportunity("A", "B") and not justify.is_opportunity("2", "0")
    assert not justify.is_opportunity("中", " ")
    assert not justify.is_opportunity("…", "…") and not justify.is_opportunity("—", "—")
    assert justify.is_opportunity("手", "…") and justify.is_opportunity("—", "中")
    assert justify.bad_line_starts(["正常", "，不行", "  。也不行"]) == ["，不行", "  。也不行"]


def _is_cjk_by_ranges(char, ambiguous):
    """The straightforward definition the fast classifier must agree with."""
    code = ord(char)
    return (any(low <= code <= high for low, high in justify._CJK_RANGES)
            or (ambiguous and char in justify._AMBIGUOUS))


def _is_opportunity_by_definition(before, after, ambiguous):
    if before in " \u00a0\n" or after in " \u00a0\n":
        return False
    if before == after and before in justify._UNBROKEN:
        return False
    return _is_cjk_by_ranges(before, ambiguous) or _is_cjk_by_ranges(after, ambiguous)


@pytest.mark.parametrize("ambiguous", [True, False])
def test_is_cjk_matches_ranges_over_bmp(ambiguous):
    wrong = [hex(code) for code in range(0x10000)
             if justify.is_cjk(chr(code), ambiguous) != _is_cjk_by_ranges(chr(code), ambiguous)]
    assert not wrong


# Range ends and their neighbours, spaces, newline, doubled marks, Latin, digits.
ALPHABET = sorted(
    {chr(code) for low, high in justify._CJK_RANGES for code in (low - 1, low, high, high + 1)}
    | justify._AMBIGUOUS | justify._UNBROKEN | set(" \u00a0\n\tAz9,.-中文，。（")
)


@pytest.mark.parametrize("ambiguous", [True, False])
def test_gap_pattern_matches_definition(ambiguous):
    """The whole-string gap finder used by _plan agrees with the pair-by-pair rule."""
    text = "".join(a + b for a, b in itertools.product(ALPHABET, repeat=2)) + "".join(PARAGRAPHS)
    expected = [i for i in range(len(text) - 1)
                if _is_opportunity_by_definition(text[i], text[i + 1], ambiguous)]
    found = [match.start() for match in justify._GAPS[ambiguous].finditer(text)]
    assert found == expected
    assert [i for i in range(len(text) - 1)
            if justify.is_opportunity(text[i], text[i + 1], ambiguous)] == expected
