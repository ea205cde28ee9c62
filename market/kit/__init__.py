"""Small shared pieces every package may use: money, pagination, the pydantic base."""
