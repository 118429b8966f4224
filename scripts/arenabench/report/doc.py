"""A tiny document model rendered twice: Markdown (images alongside) and self-contained
HTML (images embedded as base64 data URIs, so the file opens from anywhere).

Inline text understands **bold**, `code`, [text](url), a line break "\\n" (inside table
cells) and verdict badges written as {{supported}}, {{not supported}}, {{mixed}},
{{not measured}}, {{not measurable}}.
"""
import base64
import html
import os
import re
from dataclasses import dataclass, field

BADGES = {"supported": "✔", "not supported": "✘", "mixed": "◐", "not measured": "○",
          "not measurable": "·"}


@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""
    fold: bool = False         # HTML: the section under it is a collapsed <details>, listed
                               # in the table of contents; Markdown: a plain heading


@dataclass
class Contents:
    """HTML: the table of contents of the folded sections (links open them)."""


@dataclass
class Para:
    text: str


@dataclass
class Bullets:
    items: list


@dataclass
class Table:
    header: list
    rows: list
    cls: str = ""              # "claims" for the seed table (wider cells)


@dataclass
class Image:
    png: str                   # path relative to the report directory
    svg: str
    alt: str
    caption: str = ""


@dataclass
class Note:
    text: str


@dataclass
class Document:
    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks):
        self.blocks.extend(blocks)
        return self


def badge(verdict):
    return "{{" + verdict + "}}" if verdict else ""


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---- Markdown ---------------------------------------------------------------------------
def _md_inline(text, in_table=False):
    text = re.sub(r"\{\{([a-z ]+)\}\}",
                  lambda m: f"{BADGES.get(m.group(1), '')} **{m.group(1)}**", text)
    if in_table:
        text = text.replace("|", "\\|").replace("\n", "<br>")
    return text


def render_md(doc):
    out = [f"# {doc.title}", ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Para):
            out += [_md_inline(b.text), ""]
        elif isinstance(b, Note):
            out += ["> " + _md_inline(b.text).replace("\n", "\n> "), ""]
        elif isinstance(b, Bullets):
            out += [f"- {_md_inline(i)}" for i in b.items] + [""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(_md_inline(h, True) for h in b.header) + " |")
            out.append("|" + "|".join("---" for _ in b.header) + "|")
            for r in b.rows:
                out.append("| " + " | ".join(_md_inline(str(c), True) for c in r) + " |")
            out.append("")
        elif isinstance(b, Image):
            out.append(f"![{b.alt}]({b.png})")
            cap = f"*{b.caption}* " if b.caption else ""
            out += ["", f"{cap}([SVG]({b.svg}))", ""]
    return "\n".join(out).rstrip() + "\n"


# ---- HTML -------------------------------------------------------------------------------
CSS = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-size:15px;line-height:1.45;
     color:#1b1b1b;background:#fff;max-width:1180px;margin:24px auto;padding:0 20px}
h1{font-size:28px;border-bottom:3px solid #D55E00;padding-bottom:6px}
h2{font-size:22px;margin-top:36px;border-bottom:1px solid #ccc;padding-bottom:4px}
h3{font-size:18px;margin-top:26px}
table{border-collapse:collapse;margin:10px 0 18px;font-size:13px;width:100%}
th,td{border:1px solid #c8c8c8;padding:4px 7px;vertical-align:top;text-align:left}
th{background:#f0f0f0}
tr:nth-child(even) td{background:#fafafa}
.tw{overflow-x:auto;margin:10px 0 18px}
.tw table{margin:0}
table.claims{font-size:12.5px}
table.claims td:first-child{min-width:90px}
table.seed{table-layout:fixed}
table.seed th:first-child{width:13%}
td code{overflow-wrap:normal;word-break:normal;hyphens:none}
.nw{white-space:nowrap}
.tw td:first-child,.tw th:first-child{position:sticky;left:0;z-index:1;background:#fff;
     box-shadow:inset -1px 0 0 #c8c8c8}
.tw th:first-child{background:#f0f0f0}
.tw tr:nth-child(even) td:first-child{background:#fafafa}
.tw table.seed td:first-child,.tw table.seed th:first-child{position:static;box-shadow:none}
details{margin:8px 0;border-top:1px solid #e0e0e0}
details>summary{cursor:pointer;padding:6px 0}
details>summary>h2,details>summary>h3{display:inline;border:0;margin:0}
details[open]>summary{margin-bottom:6px}
nav.toc{background:#f7f7f7;border:1px solid #e3e3e3;padding:4px 14px;margin:18px 0}
nav.toc ul{margin:4px 0}
code{background:#f3f3f3;padding:0 3px;border-radius:3px;font-size:90%}
figure{margin:16px 0 26px}
figure img{max-width:100%;border:1px solid #e3e3e3}
figcaption{font-size:13px;color:#444;margin-top:4px}
blockquote{border-left:4px solid #E69F00;margin:10px 0;padding:4px 12px;background:#fff8ea}
.v{font-weight:bold;white-space:nowrap;padding:0 4px;border-radius:3px}
.v-supported{color:#fff;background:#1a7f37}
.v-not-supported{color:#fff;background:#c62828}
.v-mixed{color:#1b1b1b;background:#f2c94c}
.v-not-measured,.v-not-measurable{color:#1b1b1b;background:#e0e0e0}
nav.toc>ul{columns:2}
"""

# Following a link to a section inside a collapsed <details> opens it (and its parents).
JS = ("function openTarget(){var e=document.getElementById(decodeURIComponent("
      "location.hash.slice(1)));for(;e;e=e.parentElement){if(e.tagName==='DETAILS')"
      "e.open=true;}}addEventListener('hashchange',openTarget);"
      "addEventListener('DOMContentLoaded',function(){openTarget();"
      "var t=document.getElementById(location.hash.slice(1));if(t)t.scrollIntoView();});")


def _html_inline(text, cell=False):
    t = html.escape(str(text), quote=False)
    t = re.sub(r"\{\{([a-z ]+)\}\}",
               lambda m: f'<span class="v v-{slug(m.group(1))}">{BADGES.get(m.group(1), "")} '
                         f'{m.group(1)}</span>', t)
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    t = re.sub(r"(?<![\w*])\*([^*\n]+?)\*(?![\w*])", r"<em>\1</em>", t)
    if cell:    # names in table cells break only after a "/" (small_fixed/<wbr>64)
        t = re.sub(r"`([^`]+)`", lambda m: "<code>" + "<wbr>".join(
            f'<span class="nw">{part}</span>' for part in re.split(r"(?<=/)", m.group(1)) if part)
            + "</code>", t)
    t = re.sub(r"`([^`]+)`", r"<code>\1</code>", t)
    t = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', t)
    return t.replace("\n", "<br>")


def _data_uri(path):
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def _contents(doc):
    """Nested list of the folded sections: level 2, with their folded level-3 children."""
    items, current = [], None
    for b in doc.blocks:
        if isinstance(b, Heading) and b.fold and b.level <= 3:
            link = f'<a href="#{b.anchor or slug(b.text)}">{_html_inline(b.text)}</a>'
            if b.level == 2:
                current = [link, []]
                items.append(current)
            elif current is not None:       # inside a folded level-2 section
                current[1].append(link)
            else:
                items.append([link, []])
        elif isinstance(b, Heading) and b.level <= 2:
            current = None
    if not items:
        return ""
    return ('<nav class="toc"><strong>Contents</strong> (each section opens when clicked)<ul>'
            + "".join(f"<li>{link}" + ("<ul>" + "".join(f"<li>{c}</li>" for c in kids)
                                       + "</ul>" if kids else "") + "</li>"
                      for link, kids in items) + "</ul></nav>")


def render_html(doc, outdir):
    """Self-contained HTML: every image is embedded as a PNG data URI; no file outside
    report.html is referenced. A folded heading starts a collapsed <details> that runs to
    the next heading of the same or a higher level."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{html.escape(doc.title)}</title><style>{CSS}</style>"
             f"<script>{JS}</script></head><body>",
             f"<h1>{html.escape(doc.title)}</h1>"]
    open_levels = []            # levels of the <details> open now, outermost first
    for b in doc.blocks:
        if isinstance(b, Heading):
            while open_levels and open_levels[-1] >= b.level:
                open_levels.pop()
                parts.append("</details>")
            anchor = b.anchor or slug(b.text)
            h = f"<h{b.level}>{_html_inline(b.text)}</h{b.level}>"
            if b.fold:
                parts.append(f'<details id="{anchor}"><summary>{h}</summary>')
                open_levels.append(b.level)
            else:
                parts.append(f'<h{b.level} id="{anchor}">{_html_inline(b.text)}</h{b.level}>')
        elif isinstance(b, Contents):
            parts.append(_contents(doc))
        elif isinstance(b, Para):
            parts.append(f"<p>{_html_inline(b.text)}</p>")
        elif isinstance(b, Note):
            parts.append(f"<blockquote>{_html_inline(b.text)}</blockquote>")
        elif isinstance(b, Bullets):
            parts.append("<ul>" + "".join(f"<li>{_html_inline(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Table):
            cls = f' class="{b.cls}"' if b.cls else ""
            parts.append(f'<div class="tw"><table{cls}><thead><tr>' +
                         "".join(f"<th>{_html_inline(h, True)}</th>" for h in b.header) +
                         "</tr></thead><tbody>" +
                         "".join("<tr>" + "".join(f"<td>{_html_inline(c, True)}</td>" for c in r)
                                 + "</tr>" for r in b.rows) + "</tbody></table></div>")
        elif isinstance(b, Image):
            uri = _data_uri(os.path.join(outdir, b.png))
            parts.append(f'<figure><img src="{uri}" alt="{html.escape(b.alt)}">'
                         f"<figcaption>{_html_inline(b.caption)}</figcaption></figure>")
    parts += ["</details>"] * len(open_levels)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
