"""Shared plumbing: base model, forms with CSRF, errors, mail queue, access decorators.

`core` imports no feature package.
"""
