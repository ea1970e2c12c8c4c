"""Input validation only: one module per screen area; forms never save domain rows."""
