"""Incremental checkpoint of a sweep: a directory with one small file per finished point.

Layout::

    <path>/manifest.pkl        what the sweep is (function name, root entropy, grid, seeds)
    <path>/points/<key>.pkl     one record per finished task (result or exception), written atomically

Every finished task is written as soon as its result reaches the caller (write to a temporary file,
then ``os.replace``), so an interrupted sweep leaves only whole records behind and a rerun with the
same arguments loads them instead of recomputing. ``<key>`` hashes the root entropy, the task's
spawn key, its parameters and its seed label, so a record is reused only for exactly the same task.
The files are Python pickles: load only checkpoints you wrote yourself.
"""
import os
import pickle
import tempfile

from ._grid import SweepError

FORMAT = "neurocore-sweep-1"


class CheckpointStore:
    def __init__(self, path):
        self.path = os.fspath(path)
        self.points = os.path.join(self.path, "points")
        self.manifest_path = os.path.join(self.path, "manifest.pkl")

    # -- manifest ---------------------------------------------------------------------------------
    def read_manifest(self):
        if not os.path.exists(self.manifest_path):
            return None
        with open(self.manifest_path, "rb") as fh:
            man = pickle.load(fh)
        if not isinstance(man, dict) or man.get("format") != FORMAT:
            raise SweepError(f"argument 'checkpoint': {self.path} is not a neurocore sweep checkpoint")
        return man

    def open(self, manifest, entropy_given):
        """Create the store or reopen it; return the root entropy to use.

        A reopened store must belong to the same function and (when a seed is given) the same root
        seed; with ``seed=None`` the stored entropy is reused so that the rerun continues the sweep.
        """
        os.makedirs(self.points, exist_ok=True)
        old = self.read_manifest()
        entropy = manifest["entropy"]
        if old is not None:
            if old["func"] != manifest["func"]:
                raise SweepError(f"argument 'checkpoint': {self.path} holds a sweep of {old['func']}, "
                                 f"not {manifest['func']}; use another checkpoint path")
            if entropy_given and str(old["entropy"]) != str(entropy):
                raise SweepError(f"argument 'checkpoint': {self.path} was written with root seed "
                                 f"entropy {old['entropy']}, this call asks for {entropy}; pass the same "
                                 f"seed (or seed=None to continue it) or use another path")
            if old.get("common_seeds") != manifest["common_seeds"]:
                raise SweepError(f"argument 'checkpoint': {self.path} was written with common_seeds="
                                 f"{old.get('common_seeds')}, this call has {manifest['common_seeds']}")
            entropy = old["entropy"]
        manifest = dict(manifest, entropy=entropy, format=FORMAT)
        self._atomic_write(self.manifest_path, manifest)
        return entropy

    # -- records ----------------------------------------------------------------------------------
    def _file(self, key):
        return os.path.join(self.points, key + ".pkl")

    def load(self, keys):
        """{key: record} for the given keys that have a record on disk."""
        have = set(f[:-4] for f in os.listdir(self.points) if f.endswith(".pkl")) \
            if os.path.isdir(self.points) else set()
        out = {}
        for k in keys:
            if k in have:
                try:
                    with open(self._file(k), "rb") as fh:
                        out[k] = pickle.load(fh)
                except (EOFError, pickle.UnpicklingError):
                    continue  # a damaged record is simply recomputed
        return out

    def keys(self):
        if not os.path.isdir(self.points):
            return set()
        return set(f[:-4] for f in os.listdir(self.points) if f.endswith(".pkl"))

    def write(self, key, record):
        self._atomic_write(self._file(key), record)

    def _atomic_write(self, path, obj):
        d = os.path.dirname(path)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(obj, fh, protocol=4)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
