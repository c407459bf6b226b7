"""A package whose tests have every outcome tdev records."""


def add(a, b):
    return a + b
