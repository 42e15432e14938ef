"""Small documents in every supported format, written by the tests themselves."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from pdf_fixture import write_pdf

HTML_TITLE = "Kidney Problems in Multiple Myeloma"
HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8"><title>Kidney problems &amp; myeloma | Example Cancer Charity</title>
  <style>p.note { color: #333; } /* STYLE-CHROME */</style>
  <script>window.dataLayer = ["SCRIPT-CHROME <p>not text</p>"];</script>
</head>
<body>
<header class="site"><a href="/">HEADER-CHROME logo</a>
  <nav><ul><li><a href="/types">NAV-CHROME Cancer types</a></li></ul></nav>
</header>
<div role="navigation">ROLE-NAV-CHROME breadcrumbs</div>
<article>
<h1>Kidney Problems in <em>Multiple</em> Myeloma</h1>
<p>Multiple myeloma can damage the <a href="/kidneys">kidneys</a>. Myeloma cells make a
   protein that can   clog the kidneys&#39; filters &amp; harm them over time. Doctors call
   this myeloma kidney, or cast nephropathy.</p>
<p>High calcium levels, some infections and certain pain medicines can also strain the
   kidneys. Your care team checks your kidney function with blood tests.</p>
<script>trackScroll("SCRIPT-BETWEEN-PARAGRAPHS");</script>
<p>Drinking plenty of fluids&nbsp;helps the kidneys clear the protein. Ask your team how
   much you should drink each day.</p>
<h2>Signs of kidney damage</h2>
<ul>
  <li>Swelling in the legs, ankles or feet</li>
  <li>Feeling very tired, weak or short of breath</li>
  <li>Passing much less urine than usual</li>
</ul>
<form action="/signup"><label>FORM-CHROME Email</label><input name="email"><button>Go</button></form>
<h3>Blood and urine tests</h3>
<p>Creatinine is a waste product that healthy kidneys remove from the blood. A rising
   creatinine level is a sign that the kidneys are not working well.</p>
<h4>Urine protein electrophoresis</h4>
<p>This test measures the light chains in a 24-hour urine sample. It shows how much of the
   myeloma protein reaches the kidneys.</p>
<h5>Not a section heading</h5>
<p>Results are usually ready within a few days.</p>
<div hidden>HIDDEN-CHROME</div><span aria-hidden="true">ARIA-HIDDEN-CHROME</span>
<h2>Treatment for kidney damage</h2>
<p>Treating the myeloma itself is the most important way to protect the kidneys. Some
   people need dialysis for a while until their kidneys recover.</p>
<pre>Dialysis    3 times a week
Fluids      2 to 3 litres a day</pre>
</article>
<footer>FOOTER-CHROME Copyright 2024 Example Cancer Charity</footer>
</body>
</html>
"""
HTML_CHROME = [
    "STYLE-CHROME",
    "SCRIPT-CHROME",
    "HEADER-CHROME",
    "NAV-CHROME",
    "ROLE-NAV-CHROME",
    "FORM-CHROME",
    "HIDDEN-CHROME",
    "ARIA-HIDDEN-CHROME",
    "FOOTER-CHROME",
    "SCRIPT-BETWEEN-PARAGRAPHS",
    "Example Cancer Charity",
]

MARKDOWN_TITLE = "Living Well with Myeloma"
MARKDOWN_DOC = """---
title: FRONT-MATTER-CHROME
---
Living Well with Myeloma
========================

Many people live for years with **multiple myeloma**. Looking after your body and mind
helps you cope with treatment and its side effects. See the [NHS guide](https://example.org/nhs "NHS")
for more.

Eating well
-----------

A balanced diet gives you energy. Ask for a dietitian if you lose weight without trying
or find it hard to eat. Foods with protein, such as fish, eggs &amp; beans, help repair
the body.

## Exercise ##

Gentle exercise such as walking can *reduce tiredness* and keep bones strong.
Talk to your team before you start, because myeloma can weaken the bones.

```
CODE-CHROME print("code is left out")
```

Swimming and cycling put less strain on the spine than running. Stop if you feel
bone pain, and tell your team about it.

### Looking after your bones

- Take the bone-strengthening medicine your team prescribes.
- Report any new back pain straight away, as it can be a sign of a fracture.
- Keep your snake_case_notes about pain in a diary.

# Feelings and support

> Feeling anxious or low is common after a diagnosis of myeloma.
> Support groups and counsellors can help you talk about your feelings.

[nhs]: https://example.org/LINK-DEFINITION-CHROME
"""
MARKDOWN_CHROME = [
    "FRONT-MATTER-CHROME",
    "CODE-CHROME",
    "LINK-DEFINITION-CHROME",
    "**",
    "](",
    "https://example.org/nhs",
]

PDF_TITLE = "Myeloma and Infections"
_BODY = 11


def _body(text: str) -> tuple[float, str, bool]:
    return (_BODY, text, False)


PDF_PAGES = [
    [
        (20, "Myeloma and Infections", True),
        (9, "RUNNING-HEADER Patient information sheet", False),
        (15, "Why infections happen", True),
        _body("Myeloma and its treatment weaken the immune system. Plasma cells normally make"),
        _body("antibodies that fight germs, but myeloma cells crowd them out of the bone marrow."),
        _body("Chemotherapy and steroids can lower the number of white blood cells for a while."),
        (_BODY, "", False),
        _body("Infections can become serious quickly in people with myeloma. Knowing the signs"),
        _body("helps you get treatment early."),
        (_BODY, "", False),
        (_BODY, "Signs to look out for", True),
        _body("A temperature of 38 degrees or higher, shivering, a cough or a burning feeling"),
        _body("when passing urine can all be signs of an infection."),
        (9, "1", False),
    ],
    [
        (9, "RUNNING-HEADER Patient information sheet", False),
        (15, "Preventing infections", True),
        (13, "Vaccines", True),
        _body("Most people with myeloma are offered a flu vaccine every year and a pneumonia"),
        _body("vaccine. Live vaccines are usually avoided during treatment."),
        (13, "Everyday care", True),
        _body("Wash your hands often, especially before eating. Avoid close contact with people"),
        _body("who have a cold or flu, and keep cuts clean and covered."),
        (9, "2", False),
    ],
]
PDF_CHROME = ["RUNNING-HEADER"]

# Two short documents for tests that build many times (embedding is the slow part).
TINY_MARKDOWN = """# Fatigue

Tiredness is the most common side effect of myeloma treatment. Short walks help.

## Sleep

A regular bedtime and a quiet, dark room help you sleep. A balanced diet gives you energy.
"""
TINY_HTML = """<html><body><nav>Home</nav><h1>Hair loss</h1>
<p>Some chemotherapy drugs make hair thin or fall out. It usually grows back.</p>
<h2>Cold caps</h2><p>A cold cap cools the scalp during treatment to reduce hair loss.</p>
</body></html>"""

EMPTY_HTML = """<html><body><nav><a href="/">Home</a></nav><p>   </p>
<footer>Only chrome here</footer></body></html>"""


def write_samples(directory: Path) -> dict[str, Path]:
    """The three sample documents, written under `directory` (not a corpus yet)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kidneys.html").write_bytes(HTML_PAGE.encode("utf-8"))
    (directory / "living-well.md").write_bytes(MARKDOWN_DOC.encode("utf-8"))
    write_pdf(directory / "infections.pdf", PDF_PAGES)
    return {
        "html": directory / "kidneys.html",
        "markdown": directory / "living-well.md",
        "pdf": directory / "infections.pdf",
    }


def manifest_entry(doc_id: str, file: str, title: str) -> dict:
    return {
        "id": doc_id,
        "file": file,
        "title": title,
        "publisher": "Example Cancer Charity",
        "url": f"https://example.org/{doc_id}",
        "updated": "2024-05-01",
        "citation": f"Example Cancer Charity. {title}. Updated {{updated}}. Accessed {{accessed}}.",
    }


def make_corpus(directory: Path, docs: list[tuple[str, Path, str]]) -> Path:
    """A corpus directory holding copies of `docs` as (id, path, title)."""
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for doc_id, path, title in docs:
        (directory / path.name).write_bytes(path.read_bytes())
        entries.append(manifest_entry(doc_id, path.name, title))
    (directory / "manifest.json").write_text(json.dumps({"documents": entries}), encoding="utf-8")
    return directory


def strip_markup(raw: str) -> str:
    """What an HTML slice reads as, for checking a citation by hand: tags out, entities in."""
    text = re.sub(r"<!--.*?-->|<[^>]*>", "", raw, flags=re.S)
    return " ".join(html.unescape(text).split())


def normalise(text: str) -> str:
    return " ".join(text.split())
