"""Worker processes for CPU-bound batches (certificate rendering, chain verification during a
merge) that never outlive the process that started them.

Spawned, never forked: the GUI process runs Qt and threads, and a forked child of a threaded
process can deadlock on a lock another thread held at the fork. A spawned worker waits on a queue
whose pipe it holds both ends of, so it would wait forever once its parent is killed (kill -9, a
crash, a closed laptop lid that ends in a forced quit); each worker therefore watches its parent's
sentinel and exits as soon as the parent is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait


def _exit_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def process_pool(max_workers: int) -> ProcessPoolExecutor:
    """A spawned pool whose workers end with this process, whatever ends it."""
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_exit_with_parent)
