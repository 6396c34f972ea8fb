"""Check a results bundle (SPEC §11) with the standard library and ``cryptography``.

Run ``python -m consult.verify results.zip``. Nothing here imports Django,
the database or any other part of ``consult``: the package is meant to be
read, copied and rewritten by anyone who wants to check a result without
trusting the code that produced it.
"""
