"""huoye 活页: a policy bulletin's content files → PDF briefing, PowerPoint deck, HTML edition.

As a library:

    import huoye
    results = huoye.build("content", out="output")   # every issue, then index.html and feed.xml

`huoye.build` is `huoye.api.build` (see there); the pipeline itself is `huoye.build.build`.
"""
__version__ = "0.1.0"


def __getattr__(name: str):
    # `import huoye; huoye.build(...)` without importing the orchestrator up front (PEP 562)
    if name == "build":
        import importlib

        return importlib.import_module("huoye.build")
    raise AttributeError(f"module 'huoye' has no attribute {name!r}")
