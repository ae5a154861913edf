"""The generic workflow engine and the contract workflow (built with the
contracts issue): states, transitions, guards and per-state ACLs as data."""
