"""`python -m qa …`: build/ask/add/chunks (main), search (search), the database commands (db).
"""
