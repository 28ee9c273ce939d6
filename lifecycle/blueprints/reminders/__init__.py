"""Reminder e-mails for HR (what is coming, sent and failed; the rules) and everyone's own preference."""
