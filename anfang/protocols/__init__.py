"""Sans-IO protocol code (bytes in, events out) and thin asyncio wrappers."""
