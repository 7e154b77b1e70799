"""Chat conversations kept per notebook on the server, one file each (see files.py)."""
