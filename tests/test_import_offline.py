"""`huoye import` fetches nothing: manuscripts whose parts point outside the file (a
picture linked by URL, a remote template, a web link, a picture and a section linked in
an .odt or .doc that LibreOffice converts) are imported in a subprocess while a socket of
the test listens at the URL they name; no connection may arrive.

The listener is the oracle: the kernel completes a connection to a listening socket
whether or not it is accepted, so after the run a non-blocking accept() tells whether
anything tried. `test_the_listener_sees_a_connection` shows that it would.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

docx = pytest.importorskip("docx")
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml

from tests.test_import import SERIES, W_NS

ROOT = Path(__file__).resolve().parent.parent
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Listener:
    """A TCP socket on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.sock.setblocking(False)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def connections(self) -> list[bytes]:
        """What every connection made so far sent first (b'' if nothing yet)."""
        got = []
        while True:
            try:
                conn, _addr = self.sock.accept()
            except BlockingIOError:
                return got
            conn.settimeout(2)
            try:
                got.append(conn.recv(200))
            except OSError:
                got.append(b"")
            conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture
def listener():
    it = Listener()
    yield it
    it.close()


def _project(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SERIES, content / "series.yaml")
    return content


def _import(manuscript: Path, content: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "huoye", "import", str(manuscript), "--issue",
                           "2021-06", "--content", str(content)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, check=False)


def linked_picture(path: Path, url: str) -> Path:
    d = docx.Document()
    d.add_paragraph("一、基本情况")
    p = d.add_paragraph("图片只以链接的方式插入：")
    rid = d.part.relate_to(url + "/linked.png", RT.IMAGE, is_external=True)
    p._p.append(parse_xml(
        f'<w:r xmlns:w="{W_NS}" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
        'wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:r="{R_NS}">'
        '<w:drawing><wp:inline><wp:extent cx="914400" cy="457200"/><wp:docPr id="1" name="P"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic><pic:blipFill><a:blip r:link="{rid}"/></pic:blipFill></pic:pic></a:graphicData>'
        '</a:graphic></wp:inline></w:drawing></w:r>'))
    d.save(path)
    return path


def remote_template(path: Path, url: str) -> Path:
    d = docx.Document()
    d.add_paragraph("一、基本情况")
    d.add_paragraph("模板来自网络。")
    settings = d.part.part_related_by(RT.SETTINGS)
    rid = settings.relate_to(url + "/normal.dotm", R_NS + "/attachedTemplate", is_external=True)
    settings.element.insert(0, parse_xml(
        f'<w:attachedTemplate xmlns:w="{W_NS}" xmlns:r="{R_NS}" r:id="{rid}"/>'))
    d.save(path)
    return path


def web_link(path: Path, url: str) -> Path:
    d = docx.Document()
    d.add_paragraph("一、基本情况")
    p = d.add_paragraph("详见")
    rid = d.part.relate_to(url + "/report.html", RT.HYPERLINK, is_external=True)
    p._p.append(parse_xml(f'<w:hyperlink xmlns:w="{W_NS}" xmlns:r="{R_NS}" r:id="{rid}">'
                          '<w:r><w:t>财政部网站</w:t></w:r></w:hyperlink>'))
    p.add_run("。")
    d.save(path)
    return path


def linked_odt(path: Path, url: str) -> Path:
    """An OpenDocument text with a picture and a section linked by URL (what LibreOffice
    Writer would load while converting)."""
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2">
<office:body><office:text>
<text:p>一、基本情况</text:p>
<text:p>正文段落。<draw:frame draw:name="p1" svg:width="2cm" svg:height="1cm"><draw:image
 xlink:href="{url}/linked.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>
</draw:frame></text:p>
<text:section text:name="s1"><text:section-source xlink:href="{url}/section.odt"
 xlink:type="simple"/><text:p>链接的章节。</text:p></text:section>
<text:p>第二段。</text:p>
</office:text></office:body></office:document-content>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def test_the_listener_sees_a_connection(listener):
    """The oracle is not blind: a connection to the URL is seen."""
    socket.create_connection(("127.0.0.1", int(listener.url.rsplit(":", 1)[1])), timeout=5).close()
    assert len(listener.connections()) == 1


@pytest.mark.parametrize("make, status, says", [
    (linked_picture, 2, "outside the file"),
    (remote_template, 2, "outside the file"),
    (web_link, 0, ""),
], ids=["picture-linked-by-url", "remote-template", "web-link"])
def test_a_docx_pointing_outside_fetches_nothing(tmp_path, listener, make, status, says):
    content = _project(tmp_path)
    manuscript = make(tmp_path / "稿件.docx", listener.url)
    run = _import(manuscript, content)
    assert run.returncode == status, run.stderr
    assert says in run.stderr
    if status == 2:
        assert "nothing was written" in run.stderr and not (content / "2021-06").exists()
    else:   # the web link's text is kept, the link is not followed
        assert "详见财政部网站。" in (content / "2021-06" / "issue.md").read_text(encoding="utf-8")
    assert listener.connections() == []


@pytest.fixture(scope="module")
def linked_manuscripts(tmp_path_factory):
    """(listener, .odt, .doc): an .odt linking a picture and a section at the listener's
    URL, and the .doc (an INCLUDEPICTURE field) LibreOffice writes from it with the
    import's offline profile; made once for the module."""
    from huoye.importer import package

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed")
    tmp = tmp_path_factory.mktemp("linked")
    it = Listener()
    odt = linked_odt(tmp / "稿件.odt", it.url)
    profile = tmp / "lo-offline"
    (profile / "user").mkdir(parents=True)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        (profile / "user" / "registrymodifications.xcu").write_text(
            package.offline_profile(closed.getsockname()[1]), encoding="utf-8")
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile.as_uri()}",
                        "--convert-to", "doc:MS Word 97", "--outdir", str(tmp / "doc"),
                        str(odt)], check=True, capture_output=True, timeout=300)
    doc = tmp / "doc" / "稿件.doc"
    assert doc.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    assert b"/linked.png" in doc.read_bytes()
    assert it.connections() == []
    yield it, odt, doc
    it.close()


@pytest.mark.slow
@pytest.mark.parametrize("isolation", ["unshare", "profile-only"])
def test_converting_an_odt_or_doc_with_links_fetches_nothing(tmp_path, linked_manuscripts,
                                                            monkeypatch, capsys, isolation):
    """LibreOffice loads a linked picture while converting (the control run below, with a
    profile of its defaults, connects); the import's conversion does not — run without a
    network where Linux allows (`unshare`), and, where it does not, by its profile alone
    (links blocked, a closed proxy) — and the links it keeps are refused like a .docx's."""
    from huoye.cli import main
    from huoye.importer import package

    listener, odt, doc = linked_manuscripts
    if isolation == "profile-only":
        monkeypatch.setattr(package, "_isolated", lambda cmd: cmd)
    elif package._isolated(["true"]) == ["true"]:
        pytest.skip("unshare -rn is not allowed here")
    for manuscript in (odt, doc):
        (tmp_path / ("import-" + manuscript.suffix[1:])).mkdir()
        content = _project(tmp_path / ("import-" + manuscript.suffix[1:]))
        assert main(["import", str(manuscript), "--issue", "2021-06",
                     "--content", str(content)]) == 2
        err = capsys.readouterr().err
        assert "outside the file" in err and "nothing was written" in err, (manuscript, err)
        assert listener.connections() == [], manuscript


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_left_to_its_defaults_would_fetch(tmp_path, listener):
    """The control: the .odt converted by LibreOffice with a fresh profile of its defaults
    connects to the listener (so the test above would see a fetch)."""
    odt = linked_odt(tmp_path / "稿件.odt", listener.url)
    run = subprocess.Popen(["soffice", "--headless",
                            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                            "--convert-to", "docx:MS Word 2007 XML", "--outdir",
                            str(tmp_path / "control"), str(odt)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: list[bytes] = []
    try:
        for _ in range(600):   # hang guard: 60 s
            seen += listener.connections()   # each one answered by closing it
            if seen or run.poll() is not None:
                break
            time.sleep(0.1)
        run.wait(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert seen and b"/linked.png" in b"".join(seen), seen
