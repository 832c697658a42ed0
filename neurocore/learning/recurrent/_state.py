"""state_dict / save / load for the trained models (NumPy .npz files)."""
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
        """Write the state to ``path`` (.npz); None entries are stored as empty markers."""
        st = self.state_dict()
        np.savez(path, **{k: (np.array([]) if v is None else v) for k, v in st.items()},
                 __none__=np.array([k for k, v in st.items() if v is None], dtype=str),
                 __class__=np.array(type(self).__name__))

    def load(self, path):
        """Restore the state written by :meth:`save` into this (identically built) model."""
        with np.load(path, allow_pickle=False) as f:
            cls = str(f["__class__"])
            if cls != type(self).__name__:
                raise ValueError(f"argument 'path' holds a {cls} state, not a {type(self).__name__}")
            none = set(f["__none__"].tolist())
            self.load_state_dict({k: (None if k in none else f[k]) for k in self._state_fields})
        return self

    def _sync(self):
        pass

    def _after_load(self):
        pass
