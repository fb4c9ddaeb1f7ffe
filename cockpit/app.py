"""Streamlit entry point: ``streamlit run cockpit/app.py`` (``make cockpit``).

Thin on purpose: the page lives in ``cockpit.page``. ``streamlit run`` puts this file's folder,
not the project root, on ``sys.path``, so the root is added when the package is not installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from cockpit.page import main  # noqa: E402 - after the sys.path fix above

main()
