"""What runs inside the action server: the fact store (knowledge) and answer composition (answers)."""
