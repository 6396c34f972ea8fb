"""Citizens' proposals, supports, comments and reports, and their moderation.

Dependency direction: ``text``, ``authors`` and ``queries`` read models;
``services`` (citizens' writes) and ``moderation`` (moderators' decisions)
use them plus ``consult.permissions``; their signals reach
``consult.notifications``, which tells the people concerned. Views, the API
and the admin call the services and never write these models themselves.
"""
