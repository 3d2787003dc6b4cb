"""Resolutions to study (SPEC.md module 3): the resolution page (Wagtail, published through the
editorial workflow), its outlines per audience, a member's reading of it and their study status.
"""
