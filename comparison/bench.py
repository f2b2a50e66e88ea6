"""``bench comparison`` (filled in below)."""


def bench_comparison(emit, scales):
    raise NotImplementedError
