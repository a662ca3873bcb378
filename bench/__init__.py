"""Benchmarks (`make bench`): seed a graph, load the running stack on loopback, print a table."""
