"""Pure logic: takes everything (including ``asof`` and ``now``) as arguments, returns values.

Nothing here touches files, the clock, the environment, git or the network (import-linter).
"""
