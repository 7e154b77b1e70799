"""The OpenAI-compatible gateway: pure endpoint resolution and errors, an httpx upstream
client, and thin tornado routes (routes.py) that the server extension registers."""
