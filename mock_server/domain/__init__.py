"""Business rules and state machines, one module per resource family."""
