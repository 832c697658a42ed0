"""The ``progress=`` argument of long C calls: True shows a tqdm bar, a callable gets (done, total)."""


def progress_callback(progress, total, desc, unit="step"):
    """Turn ``progress`` into what the bindings call between chunks (or None).

    Parameters
    ----------
    progress : bool or callable(done, total)
        True: a tqdm bar that closes itself when ``done`` reaches ``total``.
    total : int
        Work units (steps, patterns) the call will report.
    desc, unit : str
        Bar label and unit.
    """
    if progress is True:
        from tqdm.auto import tqdm
        bar = tqdm(total=total, desc=desc, unit=unit, leave=False)

        def update(done, _total):
            bar.n = done
            bar.refresh()
            if done >= _total:
                bar.close()
        return update
    return progress if callable(progress) else None
