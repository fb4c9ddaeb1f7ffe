"""The only modules (with the stage entry points) that touch files, git and the clock."""
