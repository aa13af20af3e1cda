"""The local dev server and the tools around it (never deployed)."""
