"""The vocabulary of zjtx: enterprise record, catalog schema and data, conditions, money, errors.

Nothing here imports `solver/`: these are the nouns the solver reasons about.
"""
