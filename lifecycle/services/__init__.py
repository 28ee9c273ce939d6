"""The domain's verbs: each flushes and never commits; views, tasks and commands own the transaction."""
