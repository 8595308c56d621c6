"""One small router per resource; app.py decides which need a user."""
