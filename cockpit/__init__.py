"""The operator's cockpit (Streamlit, PC): look at committed state, act through git commits.

``app.py`` is the thin Streamlit entry point; ``page`` draws settings, header and Look, and
``forms`` the Act section. The logic lives in small typed modules: ``settings`` (where to read),
``data`` (local repo or resolver URL), ``views`` (pure shaping for charts, tables and form
text), ``actions`` (validated operator changes, one commit each) and ``gitops`` (commit, pull,
push). The cockpit never imports the resolver: it talks HTTP to it.
"""
