#!/usr/bin/env python3
"""Validate eval/gold.jsonl, the gold question set of the evaluation harness.

Standard library only.  Usage:

    python3 eval/check_gold.py [--gold eval/gold.jsonl] [--corpus DIR]

The corpus directory defaults to <repo>/corpus if it exists, else
<repo>/../shared/seeds.  Checks made (any failure is an ERROR and the
script exits 1; WARNINGs are printed but do not fail):

* every line is a JSON object with the required, correctly typed fields;
  ids unique; no duplicate question text;
* style in patient/staff/paraphrase/keyword, split in dev/test;
* answerable items have 1-4 evidence quotes and a known section; a quote
  may carry "judged": "pooled" (added by blind pooled judging, not by the
  question's author);
  out-of-scope items have no evidence and section null;
* every quote is a byte-exact substring of <corpus>/<file>, 6-35 words,
  starts and ends on word boundaries, does not cross a line break;
* no quote touches text that is not passage body: the NCI navigation and
  "On This Page" list, the Key Points lists and the sub-section headings
  they repeat, figure captions ("Enlarge ..."), the video blurb, the
  repeated boilerplate, the page footer, the ACS headings, editorial-team
  note and reference list;
* the declared section is where (one of) the quotes actually is;
* warnings: a quote occurring more than once in its file; a patient or
  paraphrase question sharing 4+ consecutive words with its quote.

Finally prints counts per style, split and section.
"""

import argparse
import collections
import json
import os
import re
import sys

NCI = "nci-pdq-plasma-cell-neoplasms-treatment-patient.txt"
ACS = "acs-multiple-myeloma-treatment-options.txt"
STYLES = ("patient", "staff", "paraphrase", "keyword")
# The second set, written blind in the forms of public consumer-health collections,
# drug-information questions and long messages; "kind" says why one is out of scope.
BLIND_STYLES = ("consumer", "drug", "message")
KINDS = ("answerable", "decision", "passing", "outside")
SPLITS = ("dev", "test")
MIN_WORDS, MAX_WORDS = 6, 35

NCI_SECTIONS = [
    "General Information About Plasma Cell Neoplasms",
    "Stages of Plasma Cell Neoplasms",
    "Treatment Option Overview",
    "Treatment of Monoclonal Gammopathy of Undetermined Significance",
    "Treatment of Isolated Plasmacytoma of Bone",
    "Treatment of Extramedullary Plasmacytoma",
    "Treatment of Multiple Myeloma",
    "Treatment of Relapsed or Refractory Multiple Myeloma",
    "To Learn More About Plasma Cell Neoplasms",
    "About This PDQ Summary",
]
ACS_SECTIONS = [
    "Solitary plasmacytomas",
    "Smoldering multiple myeloma",
    "Active (symptomatic) myeloma",
]

# Key Points list of each of the first three NCI sections, in order.  Each
# item is also a sub-section heading later in the section (the index drops
# those headings from passage text).
KEY_POINTS = {
    "General Information About Plasma Cell Neoplasms": [
        "Plasma cell neoplasms are diseases in which the body makes too many plasma cells.",
        "Plasma cell neoplasms can be benign (not cancer) or malignant (cancer).",
        "There are several types of plasma cell neoplasms.",
        "Monoclonal gammopathy of undetermined significance (MGUS)",
        "Plasmacytoma",
        "Multiple myeloma",
        "Multiple myeloma and other plasma cell neoplasms may cause a condition called amyloidosis.",
        "Age can affect the risk of plasma cell neoplasms.",
        "Tests that examine the blood, bone marrow, and urine are used to diagnose multiple myeloma and other plasma cell neoplasms.",
        "Certain factors affect prognosis (chance of recovery) and treatment options.",
    ],
    "Stages of Plasma Cell Neoplasms": [
        "There are no standard staging systems for monoclonal gammopathy of undetermined significance (MGUS) and plasmacytoma.",
        "After multiple myeloma has been diagnosed, tests are done to find out how much cancer is in the body.",
        "The stage of multiple myeloma is based on the levels of beta-2-microglobulin and albumin in the blood.",
        "The following stages are used for multiple myeloma:",
        "Stage I multiple myeloma",
        "Stage II multiple myeloma",
        "Stage III multiple myeloma",
        "Plasma cell neoplasms may not respond to treatment or may come back after treatment.",
    ],
    "Treatment Option Overview": [
        "There are different types of treatment for patients with plasma cell neoplasms.",
        "The following types of treatment are used:",
        "Chemotherapy",
        "Other drug therapy",
        "Targeted therapy",
        "High-dose chemotherapy with stem cell transplant",
        "Immunotherapy",
        "Radiation therapy",
        "Surgery",
        "Watchful waiting",
        "New types of treatment are being tested in clinical trials.",
        "New combinations of therapies",
        "Treatment for plasma cell neoplasms may cause side effects.",
        "Supportive care is given to lessen the problems caused by the disease or its treatment.",
        "Patients may want to think about taking part in a clinical trial.",
        "Patients can enter clinical trials before, during, or after starting their cancer treatment.",
        "Follow-up tests may be needed.",
    ],
}

# Sub-headings of "About This PDQ Summary", in order.
PDQ_HEADINGS = [
    "About PDQ",
    "Purpose of This Summary",
    "Reviewers and Updates",
    "Clinical Trial Information",
    "Permission to Use This Summary",
    "Disclaimer",
    "Contact Us",
]

# Non-body text that must never be quoted wherever it occurs: (start, end)
# markers; the span runs from start through the end marker.
NCI_NONBODY = [
    ("Enlarge Multiple myeloma.", "Multiple myeloma cells also damage and weaken the bone."),
    ("Enlarge Bone marrow aspiration and biopsy.", "removed for examination under a microscope."),
    ("Enlarge Donor stem cell transplant.", "an infusion of the donor stem cells."),
    ("Enlarge CAR T-cell therapy.", "bind to an antigen on the cancer cells and kill them."),
    (
        "How do monoclonal antibodies work to treat cancer?",
        "deliver harmful substances to cancer cells.",
    ),
    (
        "Use our clinical trial search",
        "General information about clinical trials is also available.",
    ),
    (
        "For information about the treatments listed below,",
        "see the Treatment Option Overview section.",
    ),
    ("Go to Health Professional Version", "Go to Health Professional Version"),
    ("Key Points", "Key Points"),
    (
        "Patients may want to think about taking part in a clinical trial.",
        "Patients may want to think about taking part in a clinical trial.",
    ),
    ("See Drugs Approved for Multiple Myeloma", "Plasma Cell Neoplasms ."),
]
NCI_FOOTER_START = "Updated: November 17, 2023"
ACS_NONBODY_START = "The American Cancer Society medical and editorial content team"


def flex(s):
    """Regex for s tolerant of whitespace differences (incl. none before punctuation)."""
    parts = []
    for word in s.split():
        parts.append(r"\s*".join(re.escape(c) for c in word))
    return r"\s+".join(parts).replace(r"\s+" + re.escape(","), r"\s*,")


def find_flex(text, s, start=0):
    m = re.compile(flex(s)).search(text, start)
    return (m.start(), m.end()) if m else None


def word_count(q):
    return sum(1 for tok in q.split() if any(ch.isalnum() for ch in tok))


class Doc:
    """A corpus file with its section boundaries and its non-body spans."""

    def __init__(self, name, text, problems):
        self.name, self.text = name, text
        self.sections = []  # (start, end, title)
        self.nonbody = []  # (start, end, why)
        if name == NCI:
            self._nci(problems)
        elif name == ACS:
            self._acs(problems)

    def _add(self, span, why):
        if span:
            self.nonbody.append((span[0], span[1], why))

    def _nci(self, problems):
        t = self.text
        # the "On This Page" list ends where the first section's own title starts
        first = find_flex(t, NCI_SECTIONS[0] + " Go to Health Professional Version")
        if not first:
            problems.append(f"{self.name}: cannot find the first section heading")
            return
        self.nonbody.append((0, first[0], "site navigation / On This Page"))
        pos, starts = first[0], []
        for title in NCI_SECTIONS:
            sp = find_flex(t, title, pos)
            if not sp:
                problems.append(f"{self.name}: section heading not found: {title!r}")
                return
            starts.append(sp[0])
            self._add(sp, "section heading")
            pos = sp[1]
        footer = t.find(NCI_FOOTER_START)
        if footer < 0:
            footer = len(t)
        self.nonbody.append((footer, len(t), "page footer"))
        for i, title in enumerate(NCI_SECTIONS):
            end = starts[i + 1] if i + 1 < len(starts) else footer
            self.sections.append((starts[i], end, title))
        # Key Points lists and the sub-section headings that repeat them
        for s0, s1, title in self.sections:
            items = KEY_POINTS.get(title)
            if not items:
                continue
            kp = find_flex(t, "Key Points", s0)
            p = kp[1]
            spans = []
            for item in items:  # the list itself
                sp = find_flex(t, item, p)
                spans.append(sp)
                p = sp[1]
            self.nonbody.append((kp[0], p, "Key Points list"))
            for item in items:  # the headings in the body
                sp = find_flex(t, item, p)
                if not sp or sp[0] >= s1:
                    problems.append(f"{self.name}: heading not found in body: {item!r}")
                    continue
                self._add(sp, "sub-section heading")
                p = sp[1]
        # About This PDQ Summary sub-headings
        p = self.sections[-1][0]
        for h in PDQ_HEADINGS:
            sp = find_flex(t, h, p)
            if sp:
                self._add(sp, "sub-section heading")
                p = sp[1]
        for a, b in NCI_NONBODY:
            for m in re.finditer(flex(a), t):
                e = find_flex(t, b, m.start())
                if e:
                    self.nonbody.append((m.start(), e[1], "non-body: " + a[:30]))

    def _acs(self, problems):
        t = self.text
        pos, starts = 0, []
        for title in ACS_SECTIONS:
            m = re.compile(r"^" + re.escape(title) + r"[ \t]*$", re.M).search(t, pos)
            if not m:
                problems.append(f"{self.name}: heading line not found: {title!r}")
                return
            starts.append(m.start())
            self.nonbody.append((m.start(), m.end(), "heading"))
            pos = m.end()
        tail = t.find(ACS_NONBODY_START)
        if tail < 0:
            tail = len(t)
        self.nonbody.append((0, starts[0], "page header"))
        self.nonbody.append((tail, len(t), "editorial note / references"))
        for i, title in enumerate(ACS_SECTIONS):
            end = starts[i + 1] if i + 1 < len(starts) else tail
            self.sections.append((starts[i], end, title))

    def occurrences(self, q):
        out, i = [], self.text.find(q)
        while i >= 0:
            out.append(i)
            i = self.text.find(q, i + 1)
        return out

    def section_at(self, pos):
        for s, e, title in self.sections:
            if s <= pos < e:
                return title
        return None

    def nonbody_overlap(self, s, e):
        for a, b, why in self.nonbody:
            if s < b and a < e:
                return why
        return None


def default_corpus(repo):
    c = os.path.join(repo, "corpus")
    if os.path.isdir(c):
        return c
    return os.path.normpath(os.path.join(repo, "..", "shared", "seeds"))


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", default=os.path.join(repo, "eval", "gold.jsonl"))
    ap.add_argument("--corpus", default=None, help="directory holding the source documents")
    ap.add_argument("-q", "--quiet", action="store_true", help="do not list warnings")
    args = ap.parse_args()
    corpus = args.corpus or default_corpus(repo)

    errors, warnings = [], []
    docs = {}

    def doc(name):
        if name not in docs:
            path = os.path.join(corpus, name)
            if not os.path.isfile(path):
                docs[name] = None
            else:
                with open(path, encoding="utf-8") as f:
                    probs = []
                    docs[name] = Doc(name, f.read(), probs)
                    errors.extend("corpus: " + p for p in probs)
        return docs[name]

    known_sections = set(NCI_SECTIONS) | set(ACS_SECTIONS)
    items, ids, questions = [], collections.Counter(), collections.Counter()
    try:
        fh = open(args.gold, encoding="utf-8")
    except OSError as e:
        print(f"ERROR: cannot open {args.gold}: {e}")
        return 1
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                it = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {n}: invalid JSON ({e})")
                continue
            if not isinstance(it, dict):
                errors.append(f"line {n}: not a JSON object")
                continue
            items.append((n, it))

    for n, it in items:
        tag = f"line {n} ({it.get('id', '?')})"
        want = {
            "id": str,
            "question": str,
            "style": str,
            "answerable": bool,
            "evidence": list,
            "split": str,
        }
        bad = set()
        for k, typ in want.items():
            if k not in it:
                errors.append(f"{tag}: missing field {k!r}")
                bad.add(k)
            elif not isinstance(it[k], typ):
                errors.append(f"{tag}: field {k!r} should be {typ.__name__}")
                bad.add(k)
        if "section" not in it:
            errors.append(f"{tag}: missing field 'section'")
            bad.add("section")
        extra = set(it) - set(want) - {"section", "kind"}
        if extra:
            errors.append(f"{tag}: unexpected fields {sorted(extra)}")
        if "id" not in bad:
            ids[it["id"]] += 1
        if "question" not in bad:
            if not it["question"].strip():
                errors.append(f"{tag}: empty question")
            questions[" ".join(it["question"].lower().split())] += 1
        if "kind" in it and (
            it["kind"] not in KINDS or (it["kind"] == "answerable") != it.get("answerable")
        ):
            errors.append(
                f"{tag}: kind {it['kind']!r} does not fit answerable={it.get('answerable')}"
            )
        if "style" not in bad and it["style"] not in STYLES + BLIND_STYLES:
            errors.append(f"{tag}: bad style {it['style']!r}")
        if "split" not in bad and it["split"] not in SPLITS:
            errors.append(f"{tag}: bad split {it['split']!r}")
        if (
            not bad & {"style", "question"}
            and it["style"] == "keyword"
            and not 2 <= len(it["question"].split()) <= 4
        ):
            warnings.append(f"{tag}: keyword query has {len(it['question'].split())} words")
        if bad & {"answerable", "evidence", "section", "style", "question"}:
            continue
        sec, ev = it["section"], it["evidence"]

        if not it["answerable"]:
            if ev:
                errors.append(f"{tag}: out-of-scope item has evidence")
            if sec is not None:
                errors.append(f"{tag}: out-of-scope item must have section null")
            continue

        if not isinstance(sec, str) or sec not in known_sections:
            errors.append(f"{tag}: unknown section {sec!r}")
        if not 1 <= len(ev) <= 4:
            errors.append(f"{tag}: answerable item needs 1-4 evidence quotes, has {len(ev)}")
        found_sections = set()
        for j, e in enumerate(ev, 1):
            etag = f"{tag} quote {j}"
            if (
                not isinstance(e, dict)
                or not isinstance(e.get("file"), str)
                or not isinstance(e.get("quote"), str)
                or not {"file", "quote"} <= set(e) <= {"file", "quote", "judged"}
                or e.get("judged", "pooled") != "pooled"
            ):
                errors.append(
                    f"{etag}: evidence must be {{'file': str, 'quote': str}}"
                    " (and optionally 'judged': 'pooled')"
                )
                continue
            q, d = e["quote"], doc(e["file"])
            if d is None:
                errors.append(f"{etag}: corpus file not found: {e['file']}")
                continue
            wc = word_count(q)
            if not MIN_WORDS <= wc <= MAX_WORDS:
                errors.append(f"{etag}: quote has {wc} words (allowed {MIN_WORDS}-{MAX_WORDS})")
            if q != q.strip():
                errors.append(f"{etag}: quote has leading/trailing whitespace")
            if "\n" in q:
                errors.append(f"{etag}: quote crosses a line break")
            occ = d.occurrences(q)
            if not occ:
                errors.append(f"{etag}: quote is not an exact substring of {e['file']}: {q[:70]!r}")
                continue
            if len(occ) > 1:
                warnings.append(f"{etag}: quote occurs {len(occ)} times in {e['file']}")
            t = d.text
            for o in occ:
                end = o + len(q)
                if (o > 0 and t[o - 1].isalnum()) or (end < len(t) and t[end].isalnum()):
                    errors.append(f"{etag}: quote starts or ends inside a word")
                    break
            for o in occ:
                why = d.nonbody_overlap(o, o + len(q))
                if why:
                    errors.append(f"{etag}: quote overlaps non-body text ({why}): {q[:60]!r}")
                    break
                found_sections.add(d.section_at(o))
            if it["style"] in ("patient", "paraphrase"):
                qw = re.findall(r"\w+", it["question"].lower())
                tw = " " + " ".join(re.findall(r"\w+", q.lower())) + " "
                for k in range(len(qw) - 3):
                    if " " + " ".join(qw[k : k + 4]) + " " in tw:
                        warnings.append(
                            f"{etag}: {it['style']} question copies 4+ words of its quote"
                        )
                        break
        if isinstance(sec, str) and found_sections and sec not in found_sections:
            errors.append(
                f"{tag}: section {sec!r} but quotes are in {sorted(s or '?' for s in found_sections)}"
            )

    for i, c in ids.items():
        if c > 1:
            errors.append(f"duplicate id {i!r} ({c} times)")
    for qu, c in questions.items():
        if c > 1:
            errors.append(f"duplicate question {qu!r} ({c} times)")

    # ---- summary ----
    good = [it for _, it in items if isinstance(it.get("answerable"), bool)]
    ans = [it for it in good if it["answerable"]]
    oos = [it for it in good if not it["answerable"]]
    print(f"gold: {args.gold}")
    print(f"corpus: {corpus}")
    print(f"items: {len(good)}  answerable: {len(ans)}  out-of-scope: {len(oos)}\n")

    def table(title, rows, keyf):
        cnt = collections.Counter((keyf(it), it.get("split")) for it in rows)
        keys = sorted({k for k, _ in cnt}, key=lambda k: (order.get(k, 99), str(k)))
        print(f"{title:<66} {'dev':>4} {'test':>5} {'total':>6}")
        for k in keys:
            d, te = cnt[(k, "dev")], cnt[(k, "test")]
            print(f"  {str(k):<64} {d:>4} {te:>5} {d + te:>6}")
        print()

    order = {s: i for i, s in enumerate(list(STYLES + BLIND_STYLES) + NCI_SECTIONS + ACS_SECTIONS)}
    table("answerable by style", ans, lambda it: it.get("style"))
    table("out-of-scope by style", oos, lambda it: it.get("style"))
    table("answerable by section", ans, lambda it: it.get("section"))
    cnt = collections.Counter(it.get("split") for it in good)
    print(
        "split overall: "
        + ", ".join(f"{s}={cnt[s]} ({100 * cnt[s] / max(1, len(good)):.0f}%)" for s in SPLITS)
    )
    per_sec = collections.Counter(it.get("section") for it in ans)
    # The project's own set covers every section; a blind set covers what its writers asked.
    own_set = all(it.get("style") in STYLES for _, it in items)
    for s in NCI_SECTIONS + ACS_SECTIONS if own_set else []:
        if per_sec[s] < 2:
            errors.append(f"section {s!r} has {per_sec[s]} answerable questions (need >= 2)")

    if warnings and not args.quiet:
        print(f"\n{len(warnings)} warning(s):")
        for w in warnings:
            print("  WARNING: " + w)
    if errors:
        print(f"\n{len(errors)} error(s):")
        for e in errors:
            print("  ERROR: " + e)
        return 1
    print(f"\nOK: 0 errors, {len(warnings)} warning(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
