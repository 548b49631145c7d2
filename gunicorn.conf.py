"""gunicorn's settings for every process that serves the app (the Procfile's web, the benchmark).

gunicorn reads this file from the working directory; the command line still sets workers and bind.
"""

import gc


def post_worker_init(worker: object) -> None:
    # What the app built while loading (modules, models, the URL map, compiled statements) lives as
    # long as the worker: about 120,000 objects, which a full garbage collection walks in ~30 ms,
    # stalling the request in hand. Frozen, they are left out of every collection.
    gc.freeze()
