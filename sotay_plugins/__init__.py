"""Sổ tay đảng viên điện tử: the plugin registry and the party-work plugins.

This package is itself a Django app (the core): the registry of extension points, the plugin
base class, the job outbox, typed flag sets and small shared helpers. Each module of the product
is a sub-package app (``sotay_plugins.orgtree``, ``sotay_plugins.members``...).
"""
