"""Opening a Word manuscript safely, before python-docx reads it.

A .docx is a zip of XML parts. Before python-docx is given the file, this module refuses
what a manuscript has no business holding, so that a hostile file costs nothing and
fetches nothing: a zip whose parts would expand beyond `MAX_TOTAL` bytes or by more than
`MAX_RATIO` (a zip bomb), more than `MAX_PARTS` parts, a relationship with
`TargetMode="External"` (an image linked by URL, a remote template), a document type
declaration in any XML part (entity expansion), and macros (vbaProject, a macro-enabled
content type renamed to .docx). Every refusal is a `ContentError`: exit status 2,
nothing written.

python-docx does not read footnotes.xml or endnotes.xml; `notes` reads those parts'
XML through python-docx's own package/part API, parsed by lxml with a parser that
resolves no entity, loads no DTD and touches no network.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from huoye.errors import ContentError
from huoye.i18n import _

MAX_TOTAL = 200 * 1024 * 1024   # bytes all parts may expand to
MAX_RATIO = 200                 # expanded / compressed, per part larger than 1 MB
MAX_PARTS = 2000
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONVERTED = (".doc", ".wps", ".odt", ".rtf")   # saved as .docx by LibreOffice Writer first
CONVERT_TIMEOUT = 300   # hang guard for LibreOffice, seconds
MACRO_TYPES = ("macroEnabled", "vbaProject", "vbaData", "activeX")
# LibreOffice's profile for the conversion. Without it, Writer fetches what a document
# links by URL while it converts (a picture linked in an .odt, an INCLUDEPICTURE field in
# a .doc). Links are blocked, and every Internet access goes through a "proxy" at a local
# port that `convert` holds closed, so a link the block misses is refused at once; the
# links the .docx keeps are then refused by `inspect` like those of any .docx. Macros
# never run, links are never updated.
OFFLINE_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop \
oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop \
oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop \
oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" \
oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetProxyType" \
oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetNoProxy" \
oor:op="fuse"><value></value></prop></item>
{proxies}</oor:items>
"""
PROXY = """<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInet{kind}ProxyName" \
oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInet{kind}ProxyPort" \
oor:op="fuse"><value>{port}</value></prop></item>
"""


def offline_profile(port: int) -> str:
    """The conversion profile, its proxy at 127.0.0.1:`port` (a port held closed)."""
    return OFFLINE_PROFILE.format(proxies="".join(PROXY.format(kind=k, port=port)
                                                  for k in ("HTTP", "HTTPS", "FTP")))


def _isolated(cmd: list[str]) -> list[str]:
    """`cmd` run without a network where Linux allows it (`unshare -rn`: a user and
    network namespace of its own, holding only a loopback that is down); else as it is."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return cmd
    try:
        ok = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=30,
                            check=False, stdin=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return [unshare, "-rn", *cmd] if ok else cmd


def safe_parser() -> etree.XMLParser:
    """lxml parser for untrusted parts: no entities resolved, no DTD, no network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


def _refuse(path: Path, what: str) -> ContentError:
    return ContentError(_("{path}: {what}; nothing was written").format(path=path, what=what))


def inspect(path: Path, shown: Path | None = None) -> None:
    """Refuse a manuscript that is not a plain, self-contained .docx (see the module text)."""
    label = shown or path
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _refuse(label, _("not a .docx file (not a zip package); save it from Word as "
                              "'Word 文档 (*.docx)'")) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse(label, _("the package has {n} parts, more than a manuscript "
                                  "has").format(n=len(infos)))
        total = 0
        for info in infos:
            total += info.file_size
            if total > MAX_TOTAL or (info.file_size > 1_000_000 and
                                     info.file_size > MAX_RATIO * max(info.compress_size, 1)):
                raise _refuse(label, _("part {part} expands to {size} bytes: the file looks like "
                                      "a zip bomb and is not read").format(part=info.filename,
                                                                           size=info.file_size))
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise _refuse(label, _("not a Word document (no word/document.xml); save it from "
                                  "Word as 'Word 文档 (*.docx)'"))
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                if "vbaproject" in info.filename.lower():
                    raise _refuse(label, _("the document holds macros ({part}); save it from Word "
                                          "as 'Word 文档 (*.docx)', without macros").format(
                                              part=info.filename))
                continue
            data = _read_bounded(archive, info)
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise _refuse(label, _("part {part} declares a document type or entities, which "
                                      "Word never writes; the file is not read").format(
                                          part=info.filename))
            if info.filename == "[Content_Types].xml" and any(m.encode() in data for m in MACRO_TYPES):
                raise _refuse(label, _("the document is macro-enabled (.docm saved as .docx); save "
                                      "it from Word as 'Word 文档 (*.docx)', without macros"))
            if info.filename.endswith(".rels"):
                _check_relationships(label, info.filename, data)


def convert(path: Path, scratch: Path) -> Path:
    """`path` (.doc, .wps, .odt, .rtf) saved as .docx in `scratch` by LibreOffice Writer,
    headless, with a profile of its own (so a running LibreOffice is not disturbed) that
    loads no linked content and runs no macro. The .docx it writes is then inspected like
    any other."""
    if not path.is_file():
        raise _refuse(path, _("no such file"))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise _refuse(path, _("reading {suffix} needs LibreOffice Writer (soffice), which is not "
                              "installed; save the file as .docx in Word or WPS instead").format(
                                  suffix=path.suffix))
    out_dir = scratch / "converted"
    out_dir.mkdir()
    (scratch / "profile" / "user").mkdir(parents=True)
    cmd = [soffice, f"-env:UserInstallation={(scratch / 'profile').as_uri()}", "--headless",
           "--norestore", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
           "--outdir", str(out_dir), str(path.resolve())]
    # a port bound and never listened on: a connection to it is refused at once
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        (scratch / "profile" / "user" / "registrymodifications.xcu").write_text(
            offline_profile(closed.getsockname()[1]), encoding="utf-8")
        try:
            subprocess.run(_isolated(cmd), capture_output=True, timeout=CONVERT_TIMEOUT,
                           check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise _refuse(path, _("LibreOffice did not finish converting it in {seconds} s; save "
                                  "it as .docx yourself").format(seconds=CONVERT_TIMEOUT)) from None
    converted = out_dir / (path.stem + ".docx")
    if not converted.exists():
        raise _refuse(path, _("LibreOffice could not read it as a document; open it and save "
                              "it as .docx"))
    return converted


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part's bytes, never more than its declared size (a lying header is a bomb too)."""
    with archive.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ContentError(_("part {part} is larger than its zip header says; the file is "
                             "not read").format(part=info.filename))
    return data


def _check_relationships(path: Path, part: str, data: bytes) -> None:
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as err:
        raise _refuse(path, _("part {part} is not well-formed XML ({error})").format(
            part=part, error=err)) from None
    for rel in root:
        if str(rel.get("TargetMode", "")).lower() == "external":
            kind = str(rel.get("Type", "")).rsplit("/", 1)[-1]
            if kind == "hyperlink":
                continue  # a web link in the text: kept as a link, never fetched
            raise _refuse(path, _("part {part} links {kind} outside the file ({target}); huoye "
                                  "fetches nothing: insert the picture or object into the "
                                  "document itself and save again").format(
                                      part=part, kind=kind, target=rel.get("Target")))


def notes(document, kind: str = "footnotes") -> dict[str, etree._Element]:
    """The footnotes (or endnotes) of a python-docx Document: {id: <w:footnote>}, without
    Word's separator notes. Read through the document part's relationships."""
    rel_type = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                + kind)
    out: dict[str, etree._Element] = {}
    for rel in document.part.rels.values():
        if rel.reltype != rel_type or rel.is_external:
            continue
        root = etree.fromstring(rel.target_part.blob, safe_parser())
        for note in root.findall(f"{{{W}}}{kind[:-1]}"):
            if note.get(f"{{{W}}}type") in ("separator", "continuationSeparator",
                                            "continuationNotice"):
                continue
            out[str(note.get(f"{{{W}}}id"))] = note
    return out
