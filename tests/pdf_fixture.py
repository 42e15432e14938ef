"""Write small text PDFs for tests with matplotlib's PDF backend (real embedded fonts)."""

from __future__ import annotations

from pathlib import Path

PAGE_WIDTH, PAGE_HEIGHT = 8.5, 11.0  # inches
MARGIN = 72  # points


def write_pdf(path: Path, pages: list[list[tuple[float, str, bool]]]) -> Path:
    """Each page is a list of lines: (font size in points, text, bold), drawn top down.

    A line whose text is empty leaves a paragraph gap.
    """
    import matplotlib

    matplotlib.use("pdf", force=True)
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        with PdfPages(path) as pdf:
            for lines in pages:
                fig = Figure(figsize=(PAGE_WIDTH, PAGE_HEIGHT))
                y = PAGE_HEIGHT * 72 - MARGIN
                for size, text, bold in lines:
                    y -= size * 1.5
                    if text:
                        fig.text(
                            MARGIN / (PAGE_WIDTH * 72),
                            y / (PAGE_HEIGHT * 72),
                            text,
                            size=size,
                            weight="bold" if bold else "normal",
                            va="baseline",
                        )
                pdf.savefig(fig)
    return path
