"""report.html rendered by headless Chromium (Debian's `chromium`) is not blank."""
import os
import shutil
import subprocess
import tempfile

import pytest

CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                    "(scripts/install-deps chromium, as scripts/test does)")
def test_report_html_renders_in_chromium(report_main):
    import matplotlib.image as mpimg
    with tempfile.TemporaryDirectory() as tmp:
        shot = os.path.join(tmp, "report.png")
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync",
               f"--user-data-dir={os.path.join(tmp, 'profile')}", f"--screenshot={shot}",
               "--window-size=1200,2000", f"file://{report_main / 'report.html'}"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and os.path.exists(shot), r.stderr[-2000:]
        img = mpimg.imread(shot)[..., :3]
    assert img.shape[0] >= 1900 and img.shape[1] >= 1100, img.shape
    grey = img.mean(axis=2)
    inked = (grey < 0.9).mean()
    assert inked > 0.03, f"screenshot is nearly blank ({inked:.2%} of pixels inked)"
    # the verdict badges (green / red / yellow backgrounds) are rendered: colour, not only text
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    green = ((g > r + 0.2) & (g > b + 0.1)).mean()
    assert green > 0.0005, "no green 'supported' badge visible"
    # text in the top third (title, table), not only images lower down
    assert (grey[: img.shape[0] // 3] < 0.5).mean() > 0.01
