"""Personal data: what the app holds about a person, deleting an account, and
unlinking participation from accounts once a consultation is long closed.

``services`` is the only module entry points call (API ``me/``, the account
pages, ``consult_retention``).
"""
