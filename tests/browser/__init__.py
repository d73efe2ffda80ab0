"""Browser tests: our pages in headless Chromium (Debian's /usr/bin/chromium) against a running stack."""
