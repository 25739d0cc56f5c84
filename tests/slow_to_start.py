"""A function for blog.markdown_worker's tests whose child process is slow to start.

In a module of its own: the child imports it to unpickle the function, and must not import
Django models on the way.
"""

import time


class SlowToStart:
    def __call__(self, text):
        return text.upper()

    def __getstate__(self):
        return {"delay": 0.5}

    def __setstate__(self, state):
        # Runs in the child as it starts, like importing Markdown on a busy machine.
        time.sleep(state["delay"])
