"""The operator's cockpit (Streamlit, PC): look at committed state, act through git commits.

``app.py`` is the thin Streamlit page; the logic lives in small typed modules:
``settings`` (where to read), ``data`` (local repo or resolver URL), ``views`` (pure shaping
for charts and tables), ``actions`` (validated operator changes, one commit each) and
``gitops`` (commit, pull, push). The cockpit never imports the resolver: it talks HTTP to it.
"""
