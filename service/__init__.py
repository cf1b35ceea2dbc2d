"""The HTTP front door: a FastAPI app over `solver/`, and the planner's web page (static files)."""
