"""Stage 4, documents: the unsigned JSON-LD documents built from the model (pure).

:mod:`.record` holds one record per issued credential; :mod:`.credential` builds
the Open Badges 3.0 documents; :mod:`.status_list` each issuer's status lists.
"""
