"""neurocore benchmarks: each ``bench_*.py`` module times neurocore against a peer side by side."""
