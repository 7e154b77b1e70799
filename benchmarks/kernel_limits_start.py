"""What the kernel limits' launcher adds to a kernel's start.

Starts real ipykernel kernels through jupyter_client, alternating plain kernels and kernels
whose command goes through the launcher (`CodeInterpreterKernelLimits.launch_command` with its
defaults: memory limit, niceness, the per-cell timer extension), and times each from the start
request to the first kernel_info reply. Prints the medians and their ratio; alternating keeps
both kinds under the same load on a shared machine.

    python benchmarks/kernel_limits_start.py [--samples 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from jupyter_client.manager import AsyncKernelManager

from jupyterlab_code_interpreter.kernel_limits.config import CodeInterpreterKernelLimits


async def start_once(limited: bool) -> float:
    manager = AsyncKernelManager(kernel_name="python3")
    if limited:
        launch = manager._async_launch_kernel
        limits = CodeInterpreterKernelLimits()

        async def launch_limited(kernel_cmd, **kw):
            return await launch(limits.launch_command(kernel_cmd), **kw)

        manager._async_launch_kernel = launch_limited
    started = time.perf_counter()
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        return time.perf_counter() - started
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


async def main(samples: int) -> None:
    await start_once(False)  # warm the file system caches, uncounted
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(samples):
        for limited in (False, True):
            times[limited].append(await start_once(limited))
    plain, limited = (statistics.median(times[k]) for k in (False, True))
    print(f"kernel start to first reply, median of {samples}:")
    print(f"  plain        {plain * 1000:7.0f} ms")
    print(f"  with limits  {limited * 1000:7.0f} ms")
    print(f"  ratio        {limited / plain:7.2f}  (+{(limited - plain) * 1000:.0f} ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=7)
    asyncio.run(main(parser.parse_args().samples))
