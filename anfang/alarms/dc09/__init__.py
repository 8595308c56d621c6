"""SIA DC-09 central-station receiver: a sans-IO frame codec (:mod:`.protocol`) under a thin asyncio layer."""
