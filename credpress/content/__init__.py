"""Stages 1-3: the provider's content folder, from YAML files to the model.

load (YAML with line numbers) → check (fields, schemas, the checking engine,
images, cross-file rules) → model; plus the lock file that keeps each award's
random values, and the YAML edits commands make (revoke, key rotation).
"""
