"""The editors' side in the Wagtail admin: the consultation page's panels and
form, the moderation viewsets, the results dashboard and its exports.

Entry points only, like ``consult.api`` and ``consult.views``: every write
goes through the services. ``consult.wagtail_hooks`` registers these views.
"""
