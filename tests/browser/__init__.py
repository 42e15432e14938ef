"""Browser tests: headless Chromium on the real pages."""
