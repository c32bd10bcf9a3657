"""A small in-process cache for what the engine reads of things that never change once in use: a published
framework version's competency tree, and a proficiency scale's levels once a score has frozen it.

Invalidation is by design, not by signal: the key names what makes the value immutable (a version's id with
the moment it was published, a scale's id with the moment it was frozen), so a value is never wrong for its
key and nothing has to be told to forget it. A key whose thing is still editable (a draft, a scale not yet in
use) is never cached. The district's calculation rules are not cached here: another worker process may
change them, and reading them is one indexed query of a handful of rows.

Thread-safe, bounded (least recently used entries go first), and pure: it imports no Django."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Immutables(Generic[V]):
    """At most `size` values, each computed once per key by `load` and kept until crowded out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable | None, load: Callable[[], V]) -> V:
        """The value for `key`, loading it on a miss; a None key (something still editable) always loads and
        keeps nothing."""
        if key is None:
            return load()
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key]
        # Loaded outside the lock: two threads may both load a missing key, and both get the same value.
        value = load()
        with self._lock:
            self.misses += 1
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._values)
