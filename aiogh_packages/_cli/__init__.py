"""The ``aiogh-packages`` command line; :mod:`aiogh_packages.cli` is its entry point.

Modules: ``args`` (the parser), ``session`` (token, client, logging, confirmation), ``ops``
(one call per owner kind), ``render`` (tables, JSON, progress), ``errors`` (exit codes),
and one module per group of commands: ``commands``, ``fanout``, ``prune``, ``demo``.
"""
