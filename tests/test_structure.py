"""Section recovery pinned for both seed documents."""

from indexer.structure import detect_layout, read_sections

NCI = "nci-pdq-plasma-cell-neoplasms-treatment-patient.txt"
ACS = "acs-multiple-myeloma-treatment-options.txt"
NCI_TITLE = "Plasma Cell Neoplasms (Including Multiple Myeloma) Treatment (PDQ®)–Patient Version"
ACS_TITLE = "Treatment Options for Multiple Myeloma and Other Plasma Cell Disorders"

NCI_TOP = [
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


def paths(sections):
    return [s.path for s in sections]


def test_layouts_detected(source_texts):
    assert detect_layout(source_texts[NCI]) == "flat-pdq"
    assert detect_layout(source_texts[ACS]) == "plain-text"


def test_nci_top_level_sections_in_order(source_texts):
    tops = [p[0] for p in paths(read_sections(source_texts[NCI], NCI_TITLE)) if len(p) == 1]
    assert tops == NCI_TOP


def test_nci_key_points_become_sub_sections(source_texts):
    got = paths(read_sections(source_texts[NCI], NCI_TITLE))
    general, stages, overview = NCI_TOP[:3]
    expected = [
        (
            general,
            "Plasma cell neoplasms are diseases in which the body makes too many plasma cells.",
        ),
        (
            general,
            "There are several types of plasma cell neoplasms.",
            "Monoclonal gammopathy of undetermined significance (MGUS)",
        ),
        (general, "There are several types of plasma cell neoplasms.", "Plasmacytoma"),
        (general, "There are several types of plasma cell neoplasms.", "Multiple myeloma"),
        (general, "Age can affect the risk of plasma cell neoplasms."),
        (general, "Certain factors affect prognosis (chance of recovery) and treatment options."),
        (
            stages,
            "The stage of multiple myeloma is based on the levels of beta-2-microglobulin "
            "and albumin in the blood.",
        ),
        (stages, "Stage I multiple myeloma"),
        (stages, "Stage II multiple myeloma"),
        (stages, "Stage III multiple myeloma"),
        (overview, "Chemotherapy"),
        (overview, "Targeted therapy"),
        (overview, "High-dose chemotherapy with stem cell transplant"),
        (overview, "Immunotherapy"),
        (overview, "Watchful waiting"),
        (
            overview,
            "New types of treatment are being tested in clinical trials.",
            "New combinations of therapies",
        ),
        (
            overview,
            "Supportive care is given to lessen the problems caused by the disease or its "
            "treatment.",
        ),
        (overview, "Follow-up tests may be needed."),
    ]
    for path in expected:
        assert path in got, path
    # Order follows the page.
    positions = [got.index(p) for p in expected]
    assert positions == sorted(positions)
    # The Key Points lists themselves are not content.
    assert sum(1 for p in got if len(p) > 1) == 35


def test_nci_bodies_leave_out_chrome(source_texts):
    text = source_texts[NCI]
    sections = read_sections(text, NCI_TITLE)
    body = " ".join(text[s:e] for sec in sections for s, e in sec.blocks)
    for chrome in [
        "Skip to main content",
        "On This Page",
        "Key Points",
        "Go to Health Professional",
        "Enlarge ",
        "Sign up for email updates",
        "Print Email",
        "Updated: November 17, 2023",
    ]:
        assert chrome not in body, chrome
    # Figure captions are content and stay.
    assert "After a small area of skin is numbed, a long, hollow needle is inserted" in body
    assert "The best way to cite this PDQ summary is" in body


def test_acs_headings_and_back_matter(source_texts):
    text = source_texts[ACS]
    sections = read_sections(text, ACS_TITLE)
    assert paths(sections) == [
        ("Solitary plasmacytomas",),
        ("Smoldering multiple myeloma",),
        ("Active (symptomatic) myeloma",),
    ]
    body = " ".join(text[s:e] for sec in sections for s, e in sec.blocks)
    for chrome in [
        "Skip to main content",
        "Stronger Together",
        "editorial content team",
        "N Engl J Med",
        "Last Revised",
        "Sign up",
    ]:
        assert chrome not in body, chrome
    assert body.endswith("it can also cause very serious side effects.")
