"""Write step, before rendering: is an issue's output already up to date?

The build key is a SHA-256 over the raw bytes of everything that can change
the output: the issue folder, series.yaml, the front matter of every issue
(the others' dates and themes make this issue's back page), the templates,
huoye's version and source, and the build options; each is read once per build,
so freshness is linear in the archive (and an issue.md the last build read is not
read again while its size, times and inode are unchanged: `_IssueIndex`). It needs
no parsing, so an up-to-date check is fast. The stamp also records the font files
the build used (size and time) and the state of fontconfig's cache: a font upgrade
or a newly installed font rebuilds too.

The stamp and the lock that keeps two builds of one output folder apart live in
huoye's cache folder (`build_state`), keyed by the output folder's path: the
output folder holds only the editions, and no machine path is published.

Only what an issue can use is hashed, and nothing outside the content folder:
files reached through a symbolic link that leads out of it, and files over the
size limits, are left to the loader, which refuses them with a clear message.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import huoye
from huoye.content import ISSUE_FILE, SERIES_FILE, inside

STAMP = "stamp.json"
MAX_ISSUE_BYTES = 1 << 20  # issue.md, series.yaml: 1 MB
MAX_FILE_BYTES = 20 << 20  # an image: 20 MB (huoye.load.media.MAX_BYTES)
FONTCONFIG_CACHES = ("/var/cache/fontconfig", "~/.cache/fontconfig", "~/.fonts", "~/.local/share/fonts")


def user_cache_folder() -> Path:
    """Where huoye keeps what it derives from this machine's files, to be reused by later
    processes (font metrics, pre-parsed WeasyPrint declarations): $XDG_CACHE_HOME/huoye."""
    return Path(_user_cache_dir())


def _user_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "huoye")


def front_matter(data: bytes) -> bytes:
    """The raw front matter of an issue.md's bytes, fences included (b"" if none): what
    `\\A(BOM)?---.*?\\n---` matches, found with `bytes.find` (the lazy regex walks every
    byte and cost more than hashing the whole file)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if not data.startswith(b"---", start):
        return b""
    end = data.find(b"\n---", start + 3)
    return data[:end + 4] if end >= 0 else b""


def _hash_tree(h, folder: Path, root: Path) -> None:
    """huoye's own source or templates (not content): every file, by name and bytes."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.name.startswith("."):
            continue
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")


def _hash_file(h, path: Path, limit: int) -> None:
    """A content file's bytes, streamed, if it is a regular file no larger than `limit`;
    else a marker (the loader reports what is wrong)."""
    try:
        st = path.stat()
        if st.st_size > limit:
            h.update(b"\0too-large:%d\0" % st.st_size)
            return
        with path.open("rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    except OSError as err:
        h.update(b"\0unreadable:%d\0" % (err.errno or 0))


def _hash_issue_folder(h, folder: Path, root: Path, known: bytes | None = None) -> None:
    """The files of an issue folder an issue can use: its regular files and the links that
    stay inside the content folder (`root`, resolved), by name and bytes (sub-folders too,
    but no folder reached through a link); a link out of the content folder by its name
    only. `known`: what `_hash_file` gives for the folder's own issue.md, already read.
    (What `os.walk` gives, top-down, files before sub-folders, each sorted by name; with
    `os.scandir`, whose entries know their kind, a folder costs one system call, not one
    a file: the plan does this for every issue of an archive.)"""
    _hash_entries(h, os.fspath(folder), "", root, known)


def _hash_entries(h, path: str, rel: str, root: Path, known: bytes | None) -> None:
    try:
        with os.scandir(path) as it:
            entries = [e for e in it if not e.name.startswith(".")]
    except OSError:
        return
    files: list[os.DirEntry] = []
    folders: list[os.DirEntry] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()  # (as os.walk: a link to a folder is a folder, not walked)
        except OSError:
            is_dir = False
        (folders if is_dir else files).append(entry)
    for entry in sorted(files, key=lambda e: e.name):
        name = entry.name
        h.update((rel + name).encode("utf-8", "surrogateescape") + b"\0")
        link = entry.is_symlink()
        if link:
            h.update(os.readlink(entry.path).encode("utf-8", "surrogateescape") + b"\0")
            if not Path(entry.path).resolve().is_relative_to(root):
                continue
        own = not rel and name == ISSUE_FILE
        if own and known is not None and not link:
            h.update(known)
        elif entry.is_file():
            _hash_file(h, Path(entry.path), MAX_ISSUE_BYTES if own else MAX_FILE_BYTES)
    for entry in sorted(folders, key=lambda e: e.name):
        if not entry.is_symlink():
            _hash_entries(h, entry.path, rel + entry.name + os.sep, root, None)


@dataclass(frozen=True)
class IssueFile:
    """An issue.md as the keys see it, read once per build: its front matter (raw bytes)
    and what `_hash_file` gives for the whole file (None: a link, hashed on its own)."""

    front: bytes
    hashed: bytes | None


def read_issue_files(root: Path) -> dict[str, IssueFile]:
    """Every issue folder's issue.md of the content folder `root` (resolved), read once,
    by folder name. A file over the size limit or outside the content folder has no front
    matter here (the loader refuses it, with the reason).

    A file the last build read is not read again while its size, times and inode are
    those recorded then (`_IssueIndex`): a rebuild of a 330-issue series with nothing
    changed read 9 MB for the same hashes (~0.05 s)."""
    files = {}
    index = _IssueIndex(root)
    with os.scandir(root) as entries:
        for entry in entries:
            path = os.path.join(entry.path, ISSUE_FILE)
            try:
                if not entry.is_dir():
                    continue
                linked = stat.S_ISLNK(os.lstat(path).st_mode)  # hashed on its own, as a link
                if (linked or entry.is_symlink()) and not inside(Path(path), root):
                    continue
                st = os.stat(path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if st.st_size > MAX_ISSUE_BYTES:
                files[entry.name] = IssueFile(b"", None if linked else b"\0too-large:%d\0" % st.st_size)
                continue
            known = index.get(entry.name, st)
            if known is not None:
                files[entry.name] = IssueFile(known.front, None if linked else known.hashed)
                continue
            try:
                with open(path, "rb") as f:
                    data = f.read(MAX_ISSUE_BYTES + 1)
            except OSError as err:
                marker = b"\0unreadable:%d\0" % (err.errno or 0)
                files[entry.name] = IssueFile(b"", None if linked else marker)
                continue
            read = IssueFile(front_matter(data), hashlib.sha256(data).digest())
            index.put(entry.name, st, read)
            files[entry.name] = IssueFile(read.front, None if linked else read.hashed)
    index.save(files)
    return files


class _IssueIndex:
    """What the last build read of each issue.md of one content folder (its front matter
    and hash), by the file's size, modification and change times and inode, kept in the
    user's cache folder as JSON. As git's index does, an entry is trusted only for a file
    last modified well before the entry was written (`RACY_NS`): a file edited in the same
    moment, on a file system with coarse times, could otherwise keep its recorded times."""

    RACY_NS = 2_000_000_000

    def __init__(self, root: Path) -> None:
        digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:32]
        self.path = os.path.join(_user_cache_dir(), "issues", digest + ".json")
        self.entries: dict[str, list] = {}
        self.changed = False
        try:
            with open(self.path, "rb") as f:
                saved = json.loads(f.read())
            if saved.get("version") == 2 and isinstance(saved.get("files"), dict):
                self.entries = saved["files"]
        except (OSError, ValueError, AttributeError):
            pass

    @staticmethod
    def _signature(st: os.stat_result) -> list:
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]

    def get(self, name: str, st: os.stat_result) -> IssueFile | None:
        entry = self.entries.get(name)
        if (not isinstance(entry, list) or len(entry) != 4 or entry[0] != self._signature(st)
                or st.st_mtime_ns > entry[3] - self.RACY_NS or st.st_ctime_ns > entry[3] - self.RACY_NS):
            return None
        try:
            return IssueFile(bytes.fromhex(entry[1]), bytes.fromhex(entry[2]))
        except (TypeError, ValueError):
            return None

    def put(self, name: str, st: os.stat_result, read: IssueFile) -> None:
        assert read.hashed is not None
        self.entries[name] = [self._signature(st), read.front.hex(), read.hashed.hex(),
                              time.time_ns()]
        self.changed = True

    def save(self, files: dict[str, IssueFile]) -> None:
        """Write the index if it changed (entries of folders gone are dropped)."""
        gone = set(self.entries) - set(files)
        if not (self.changed or gone):
            return
        for name in gone:
            del self.entries[name]
        # a temporary renamed over it, not synced (a cache: lost, the files are read again)
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(json.dumps({"version": 2, "files": self.entries}).encode("ascii"))
            os.replace(tmp, self.path)
        except OSError:  # no cache folder: the next build reads every file, as before
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@lru_cache(maxsize=1)
def _engine_digest() -> str:
    """huoye's version and source: a change to the engine rebuilds."""
    h = hashlib.sha256(huoye.__version__.encode())
    package = Path(huoye.__file__).parent
    _hash_tree(h, package, package)
    return h.hexdigest()


@lru_cache(maxsize=8)
def _templates_digest(templates: Path, _mtimes: tuple) -> str:
    h = hashlib.sha256()
    _hash_tree(h, templates, templates)
    return h.hexdigest()


def _tree_mtimes(folder: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()))


def build_keys(folders: list[Path], root: Path, templates: Path, options: dict,
               files: dict[str, IssueFile] | None = None) -> dict[Path, str]:
    """The key of each issue folder's build, from raw inputs (nothing is parsed).

    Linear in the archive: each issue.md is read once (`read_issue_files`, or `files` if
    the caller has read them), the templates and huoye's source once, and the front
    matter of every issue of the content folder (their dates and themes make each back
    page) goes into one digest all keys share.
    """
    root = root.resolve()
    files = read_issue_files(root) if files is None else files
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode("utf-8", "surrogateescape") + b"\0" + files[name].front + b"\0")
    shared = hashlib.sha256(h.digest())
    if inside(root / SERIES_FILE, root):
        _hash_file(shared, root / SERIES_FILE, MAX_ISSUE_BYTES)
    shared.update(_templates_digest(templates, _tree_mtimes(templates)).encode())
    shared.update(_engine_digest().encode())
    shared.update(json.dumps(options, sort_keys=True, default=str).encode())
    keys = {}
    for folder in folders:
        key = shared.copy()
        own = files.get(folder.name) if folder.parent == root else None
        _hash_issue_folder(key, folder, root, own.hashed if own else None)
        keys[folder] = key.hexdigest()
    return keys


def build_key(folder: Path, root: Path, templates: Path, options: dict) -> str:
    """The key of one issue folder's build (`build_keys` for one folder)."""
    return build_keys([folder], root, templates, options)[folder]


def _stat(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "missing"
    return f"{st.st_size}:{st.st_mtime_ns}"


def fontconfig_state() -> str:
    """Times of fontconfig's caches and font folders: they change when fonts are installed."""
    return "|".join(_stat(Path(p).expanduser()) for p in FONTCONFIG_CACHES)


def build_state(out_dir: Path) -> Path:
    """huoye's own folder for one output folder (its stamp and lock), in the cache folder,
    named by a hash of the output folder's absolute path."""
    return Path(_state_folder(out_dir))


def _state_folder(out_dir: Path | str) -> str:
    """`build_state` as a string (the plan asks it of every issue of an archive: strings
    spare the path objects, ~0.1 ms an issue)."""
    digest = hashlib.sha256(os.path.abspath(out_dir).encode("utf-8", "surrogateescape"))
    return os.path.join(_user_cache_dir(), "outputs", digest.hexdigest()[:32])


@contextlib.contextmanager
def output_lock(out_dir: Path):
    """Hold an exclusive lock on an output folder while its files are replaced."""
    state = build_state(out_dir)
    state.mkdir(parents=True, exist_ok=True)
    with open(state / "lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def up_to_date(out_dir: Path, key: str, names: list[str], seen: dict[str, str] | None = None) -> bool:
    """Whether `out_dir` holds `names` from a build with `key`, with the same fonts and
    fontconfig state. `seen`: a memo of file states for a run over many issues (their
    stamps list the same fonts; each is looked at once)."""
    try:
        with open(os.path.join(_state_folder(out_dir), STAMP), "rb") as f:
            stamp = json.loads(f.read())
    except (OSError, ValueError):
        return False
    out = os.fspath(out_dir)
    seen = {} if seen is None else seen

    def state(path: str) -> str:
        if path not in seen:
            seen[path] = _stat(Path(path))
        return seen[path]

    if "\0fontconfig" not in seen:
        seen["\0fontconfig"] = fontconfig_state()
    return (stamp.get("key") == key
            and set(names) <= set(stamp.get("outputs", []))
            and all(os.path.isfile(os.path.join(out, n)) for n in names)
            and stamp.get("fontconfig") == seen["\0fontconfig"]
            and all(state(p) == s for p, s in stamp.get("fonts", {}).items()))


def stamp_bytes(key: str, names: list[str], fonts: list[Path]) -> bytes:
    return json.dumps({"key": key, "outputs": names, "version": huoye.__version__,
                       "fonts": {str(p): _stat(p) for p in fonts},
                       "fontconfig": fontconfig_state(), "pid": os.getpid()},
                      ensure_ascii=False, indent=1).encode()


def write_stamp(out_dir: Path, key: str, names: list[str], fonts: list[Path]) -> None:
    """Record a finished build of `out_dir` (call with `output_lock` held)."""
    from huoye.output import write_atomic

    write_atomic(build_state(out_dir) / STAMP, stamp_bytes(key, names, fonts))
