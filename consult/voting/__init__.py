"""Voting: methods (pluggable), the tally wire format and the ballot service.

Dependency direction: ``methods`` know nothing of models; ``tally`` reads
models; ``services`` writes them and hands committed changes to ``realtime``.
"""
