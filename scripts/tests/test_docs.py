"""The documentation holds together on a clean clone.

- every relative link and image in every Markdown file points at a file (or a folder) that
  is part of the repository, and an anchor into a Markdown file names one of its headings;
- no link leaves the repository;
- README.md is a front door: at most 250 lines, the two commands in a code block early on;
- a source file or folder a README names in inline code exists (a rename cannot leave the
  documentation behind);
- no text file outside reports/reference (generated) carries team-internal wording: issue
  numbers, notes addressed to a teammate, paths to the seed outside the repository.

Files are those git knows (tracked, or new and not ignored), so nothing built or left over
in the working tree makes a link resolve.
"""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README_MAX_LINES = 250
COMMANDS_WITHIN = 80
GENERATED = ("reports/reference/",)

# Written so that this file does not match itself.
INTERNAL_WORDING = [
    (re.compile(r"\bissues?\s*#?\d+", re.I), "an issue number"),
    (re.compile(r"\bfor\s+the\s+lead\b", re.I), "a note to a teammate"),
    (re.compile(r"\bthe\s+issue'?s\b", re.I), "'the issue' (which one? say what is meant)"),
    (re.compile(r"shared[/]seeds[/]", re.I), "a path outside the repository"),
]


def repo_files():
    """Paths (relative, with '/') of the files git knows, or of every file when git is absent."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, check=True, capture_output=True,
        ).stdout
        files = [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
        # A file deleted in the working tree (a move in progress) is not there to link to.
        return sorted(p for p in set(files) if os.path.isfile(os.path.join(ROOT, p)))
    except (OSError, subprocess.CalledProcessError):
        found = []
        for d, dirs, names in os.walk(ROOT):
            dirs[:] = [x for x in dirs if x not in (".git", "build", "results")]
            found += [os.path.relpath(os.path.join(d, n), ROOT).replace(os.sep, "/") for n in names]
        return sorted(found)


FILES = repo_files()
FILE_SET = set(FILES)
DIR_SET = {"/".join(p.split("/")[:i]) for p in FILES for i in range(1, p.count("/") + 1)}
MARKDOWN = [p for p in FILES if p.endswith(".md")]


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


# ---- Markdown parsing (enough for links and headings) -----------------------------------

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HTML_ATTR = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*\"([^\"]*)\"", re.I)
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(text):
    """(line number, line) outside fenced code blocks, inline code removed."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            marker = m.group(1)
            if fence is None:
                fence = marker
                continue
            if marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
                continue
        if fence is None:
            yield number, INLINE_CODE.sub("", line)


def code_blocks(text):
    """(first line number, lines) of every fenced code block."""
    blocks, fence, start, body = [], None, 0, []
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m and fence is None:
            fence, start, body = m.group(1), number + 1, []
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
            blocks.append((start, body))
            fence = None
        elif fence is not None:
            body.append(line)
    return blocks


def links(text):
    for number, line in prose_lines(text):
        for pattern in (INLINE_LINK, HTML_ATTR):
            for m in pattern.finditer(line):
                yield number, m.group(1)
        m = REFERENCE_DEF.match(line)
        if m:
            yield number, m.group(1)


def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    text = re.sub(r"(\*\*|__|\*)", "", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    seen, out = {}, set()
    for _, line in prose_lines_keep_code(read(path)):
        m = HEADING.match(line)
        if m:
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else "%s-%d" % (base, n))
    return out


def prose_lines_keep_code(text):
    """Like prose_lines, but inline code kept (headings use it)."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)
                continue
            if m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
                continue
        if fence is None:
            yield number, line


def link_problem(source, target):
    """None when the link from the Markdown file `source` to `target` is fine, else why not."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
        return None  # http:, https:, mailto: ...: not the repository's business
    if target.startswith("/"):
        return "absolute path (use a path relative to %s)" % source
    path_part, _, anchor = target.partition("#")
    path_part = path_part.split("?", 1)[0]
    if path_part:
        joined = os.path.normpath(os.path.join(os.path.dirname(source), path_part)).replace(os.sep, "/")
        if joined == ".." or joined.startswith("../"):
            return "points outside the repository"
        rel = "" if joined == "." else joined
        if rel not in FILE_SET and rel not in DIR_SET and rel != "":
            return "no such file in the repository: %s" % rel
    else:
        rel = source
    if anchor and rel.endswith(".md") and rel in FILE_SET and anchor.lower() not in anchors(rel):
        return "no heading for #%s in %s" % (anchor, rel)
    return None


# ---- tests ---------------------------------------------------------------------------------

def test_there_is_markdown_to_check():
    assert "README.md" in MARKDOWN


@pytest.mark.parametrize("component", ["arena", "competitors", "workloads", "scripts"])
def test_every_component_has_its_readme(component):
    assert "%s/README.md" % component in FILE_SET


def test_every_relative_link_resolves_inside_the_repository():
    problems = []
    for source in MARKDOWN:
        for number, target in links(read(source)):
            why = link_problem(source, target)
            if why:
                problems.append("%s:%d: (%s) %s" % (source, number, target, why))
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_readme_is_a_front_door():
    text = read("README.md")
    lines = text.splitlines()
    assert len(lines) <= README_MAX_LINES, "README.md has %d lines (at most %d)" % (
        len(lines), README_MAX_LINES)
    found = {}
    for start, body in code_blocks(text):
        for offset, line in enumerate(body):
            for command in ("scripts/bench", "scripts/test"):
                if re.match(r"^\s*(\$\s+)?%s(\s|$)" % re.escape(command), line):
                    found.setdefault(command, start + offset)
    for command in ("scripts/bench", "scripts/test"):
        assert command in found, "README.md: no code block with `%s`" % command
        assert found[command] <= COMMANDS_WITHIN, "README.md: `%s` on line %d (within %d wanted)" % (
            command, found[command], COMMANDS_WITHIN)


def text_files():
    for path in FILES:
        if path.startswith(GENERATED):
            continue
        with open(os.path.join(ROOT, path), "rb") as f:
            data = f.read(200_000)
        if b"\0" in data[:8192]:
            continue
        try:
            yield path, data.decode("utf-8")
        except UnicodeDecodeError:
            continue


def test_no_team_internal_wording():
    problems = []
    for path, text in text_files():
        for number, line in enumerate(text.splitlines(), 1):
            for pattern, what in INTERNAL_WORDING:
                m = pattern.search(line)
                if m:
                    problems.append("%s:%d: %s: %r" % (path, number, what, m.group(0)))
    assert not problems, "team-internal wording:\n" + "\n".join(problems)


NAMED_DOCUMENT = re.compile(r"(?<![\w./-])(?:arena|competitors|workloads|scripts|reports|tests|notes)/[\w./-]*?\w\.md\b")


def test_documents_named_in_any_file_exist():
    """A comment or docstring that sends the reader to a document names one that exists."""
    problems = []
    for path, text in text_files():
        for number, line in enumerate(text.splitlines(), 1):
            for m in NAMED_DOCUMENT.finditer(line):
                name = m.group(0)
                beside = os.path.normpath(os.path.join(os.path.dirname(path), name)).replace(os.sep, "/")
                if name not in FILE_SET and beside not in FILE_SET:
                    problems.append("%s:%d: %s" % (path, number, name))
    assert not problems, "documents that do not exist:\n" + "\n".join(problems)


# A source file or a folder named in inline code: `workloads/fill.h`, `fill.h`, `tests/model/`.
SOURCE_PATH = re.compile(r"^(?:[\w.-]+/)*[\w-][\w.-]*\.(?:h|hpp|c|cpp|py|cmake|sql|sh|yml|md|in|txt)$"
                         r"|^(?:[\w.-]+/)+$")
# Where the tools write (not in the repository).
OUTPUT_ROOTS = ("build", "results", "DIR")
INLINE_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def named_source_problem(token):
    """None when a path named in a README is (the end of) a path git knows, else why not."""
    token = token.strip()
    if not SOURCE_PATH.match(token) or token.split("/")[0] in OUTPUT_ROOTS:
        return None
    tail = token.rstrip("/")
    known = FILE_SET | DIR_SET
    if tail in known or any(p.endswith("/" + tail) for p in known):
        return None
    return "no file or folder %s in the repository" % token


def test_files_named_in_readmes_exist():
    """A README that names a source file or folder (in inline code) names one that exists,
    so a rename or a move cannot leave the documentation behind."""
    problems = []
    for source in MARKDOWN:
        if os.path.basename(source) != "README.md" or source.startswith(GENERATED):
            continue
        fence = None
        for number, line in enumerate(read(source).splitlines(), 1):
            m = FENCE.match(line)
            if m and (fence is None or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
                fence = m.group(1) if fence is None else None
                continue
            if fence is not None:
                continue
            for span in INLINE_CODE_SPAN.finditer(line):
                why = named_source_problem(span.group(2))
                if why:
                    problems.append("%s:%d: %s" % (source, number, why))
    assert not problems, "READMEs name files that do not exist:\n" + "\n".join(problems)


# ---- the checker itself --------------------------------------------------------------------

def test_slug_follows_github():
    assert slug("`scripts/tune`") == "scriptstune"
    assert slug("Traces (`trace/`): replaying real programs") == "traces-trace-replaying-real-programs"
    assert slug("arena/ — the library") == "arena--the-library"
    assert slug("Using the library from another project") == "using-the-library-from-another-project"


def test_link_checker_catches_what_it_should():
    assert link_problem("README.md", "arena/README.md") is None
    assert link_problem("README.md", "arena/") is None
    assert link_problem("README.md", "https://example.org/x") is None
    assert "outside" in link_problem("README.md", "../shared/" + "seeds/x.txt")
    assert "no such file" in link_problem("README.md", "notes/" + "results-format.md")
    assert "absolute" in link_problem("README.md", "/etc/passwd")
    assert "no heading" in link_problem("README.md", "README.md#no-such-heading-here")
    found = list(links("see [a](x.md) and ![p](p.png)\n```\n[not](code.md)\n```\n`[no](inline.md)`\n"))
    assert [t for _, t in found] == ["x.md", "p.png"]


def test_wording_check_catches_what_it_should():
    def flagged(line):
        return [what for pattern, what in INTERNAL_WORDING if pattern.search(line)]
    assert flagged("Realistic workloads (iss" + "ue 4)")
    assert flagged("(For the " + "lead to merge)")
    assert flagged("Prints the iss" + "ue's target table")
    assert flagged("see ../shared/" + "seeds/000.txt")
    assert not flagged("no known issues here; see the report")


def test_named_source_check_catches_what_it_should():
    assert named_source_problem("workloads/fill.h") is None
    assert named_source_problem("fill.h") is None
    assert named_source_problem("tests/model/") is None
    assert named_source_problem("results/raw/") is None          # an output, not a source
    assert named_source_problem("bench_<name>") is None          # a placeholder
    assert named_source_problem("scripts/trace/jobs/sqlite/*.sql") is None
    assert "no file" in named_source_problem("workloads/realistic/" + "register.h")
    assert "no file" in named_source_problem("bench_fastpath_" + "sizes.h")
    assert "no file" in named_source_problem("scripts/" + "benchlib/")
