"""A function's modules load with Python's cyclic garbage collector paused.

Loading a function makes about 100,000 objects the collector tracks (modules, classes, functions,
botocore's service models, pydantic's schemas), and nearly all of them live as long as the
process. The collector walks every object it tracks each time their number has grown by a
quarter, so during the imports it walks them again and again and finds next to nothing: about
500 unreachable objects once a login function is loaded. That took 25-35 ms of each cold start
here (8-10%).

So a function's module imports this module before any other, which pauses the collector, and
`loaded()`, which `snapshot.prepare` calls once the function's modules are in, freezes what they
made (`gc.freeze`: no collection walks it again, in this request or any later one) and resumes
the collector. The few hundred objects of garbage the imports left stay for the process's life.
"""

import gc

gc.disable()


def loaded() -> None:
    """The function's modules are in: what they made is frozen, and the collector runs again."""
    gc.freeze()
    gc.enable()
