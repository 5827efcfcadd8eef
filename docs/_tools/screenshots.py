"""Screenshots of the built documentation in headless Chromium, offline.

Serves ``docs/_build/html`` on a loopback port and takes one full-width
screenshot per kind of page (front page, user guide with math, API
reference, gallery index, a notebook, benchmarks, reliability, changelog),
with Chromium's background networking off, so that a page that needed the
network (a CDN script, a web font) shows it. Needs Debian's ``chromium``::

    python -m sphinx -W -b html docs docs/_build/html
    python docs/_tools/screenshots.py --out screenshots/
"""

import argparse
import functools
import http.server
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

PAGES = {
    "index": "index.html",
    "user_guide": "user_guide/normalization.html",
    "when_to_use": "user_guide/when_to_use.html",
    "exactness": "user_guide/exactness.html",
    "api": "generated/sklearn_l2.L2Normalizer.html",
    "api_compare": "generated/sklearn_l2.compare_scalers.html",
    "gallery": "gallery/index.html",
    "notebook_06": "gallery/06_embeddings.html",
    "notebook_07": "gallery/07_recommendations.html",
    "notebook_02": "gallery/02_accuracy.html",
    "benchmarks": "benchmarks.html",
    "reliability": "reliability.html",
    "changelog": "changelog.html",
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--html", type=Path, default=root / "_build" / "html")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--height", type=int, default=2400)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_QuietHandler, directory=str(args.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        for name, page in PAGES.items():
            if not (args.html / page).exists():
                print(f"{name}: {page} not built, skipped")
                continue
            target = (args.out / f"{name}.png").resolve()
            with tempfile.TemporaryDirectory() as profile:
                subprocess.run(
                    [
                        args.chromium,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        f"--user-data-dir={profile}",
                        "--hide-scrollbars",
                        f"--window-size=1280,{args.height}",
                        "--virtual-time-budget=5000",
                        f"--screenshot={target}",
                        f"http://127.0.0.1:{port}/{page}",
                    ],
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
            print(f"{name}: {target}")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
