"""Kernel limits: memory, CPU and per-execution time limits applied to every kernel the server
launches, and idle kernels culled (docs/kernel-limits.md).

`config.py` holds the administrator's settings and turns them into the launcher's command line;
`launch.py` is that launcher, which applies the limits to its own process and then becomes the
kernel; `kernel_side/` is the IPython extension the launcher loads into the kernel for the time
limit and the memory limit's message; `culling.py` sets the kernel manager's culling defaults.
"""
