"""The OpenFisca peer of `zjtx batch` (see model.py); `python -m benchmarks.peer IN.jsonl OUT.csv`."""
