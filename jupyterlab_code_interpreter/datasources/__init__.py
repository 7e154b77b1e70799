"""Named database connections the administrator configures on the server
(`c.CodeInterpreterDataSources.sources`, docs/data-sources.md).

The model sees each source's name and schema; the kernel gets `connect(name)`, which fetches
the password from the server when it opens a connection (routes.py says how a kernel proves
it is one of this server's kernels). The password never goes into the model's context, the
chat, the notebook, a log or the kernel's environment.
"""
