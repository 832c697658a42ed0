"""state_dict / save / load for the trained models (versioned .npz files via neurocore.io)."""
import numpy as np


class Stateful:
    """Mixin: ``_state_fields`` lists the attributes that make up the model's state."""
    _state_fields = ()

    def state_dict(self):
        """The model's state as a dict of NumPy arrays and floats (copies)."""
        self._sync()
        out = {}
        for k in self._state_fields:
            v = getattr(self, k)
            out[k] = None if v is None else np.array(v, copy=True)
        return out

    def load_state_dict(self, state):
        """Restore a state produced by :meth:`state_dict` (missing keys raise KeyError)."""
        for k in self._state_fields:
            v = state[k]
            if v is not None and np.ndim(v) == 0:
                v = v.item()
            setattr(self, k, None if v is None else (np.array(v, copy=True) if np.ndim(v) else v))
        self._after_load()

    def save(self, path):
        """Write the state (and the model's RNG state) to ``path`` atomically, through
        :func:`neurocore.io.save`: a crash mid-save leaves the previous file intact."""
        from ... import io
        return io.save(path, self)

    def load(self, path):
        """Restore the state written by :meth:`save` into this (identically built) model."""
        from ... import io
        return io.load(path, into=self)

    def _sync(self):
        pass

    def _after_load(self):
        pass
