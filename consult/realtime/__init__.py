"""Live updates: group names and the after-commit publisher.

``realtime`` reads committed state and sends it to the channel layer; it
never imports the API or the consumers.
"""
