"""Alerts: the rules of the ICP files evaluated on the lead lists and signals (rules.py), the
watchlist (watchlist.py), the outbox that records each alert before it is sent (outbox.py), the
delivery channels (channels.py: Slack, SMTP email, signed webhook) and the daily digest (digest.py)."""
