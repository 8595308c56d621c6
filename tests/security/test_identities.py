"""Issue 15.8d: watchlist match names hidden from users without see_identities (on main they were shown).

The event is the one the face observer raises (``watchlist_match`` with person/watchlist attributes), sent
through the platform's sink; the routes are the real ones (events list/detail, live websocket, watchlists).
"""

from __future__ import annotations

import time
from pathlib import Path

from anfang.events.model import Event
from anfang.faces.component import Faces
from anfang.security.identities import HIDDEN
from tests.security.api_fixtures import client_as, make_platform


def test_watchlist_names_need_see_identities(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "d")
    p.users.create("seer", None, "operator", see_identities=True)
    p.users.create("blind", None, "operator", see_identities=False)
    library = p.get(Faces).library
    wl = library.create_watchlist("Wanted: Smith gang", "blacklist")
    try:
        event = Event(camera_id="cam1", rule="face_watchlist", type="watchlist_match", start_time=time.time(),
                      object_class="person", track_id=3, score=0.71,
                      attributes={"person": "John Smith", "person_id": 7, "watchlist": "Wanted: Smith gang",
                                  "watchlist_id": wl["id"], "kind": "blacklist", "similarity": 0.71})  # fmt: skip
        with client_as(p, "seer") as seer, client_as(p, "blind") as blind:
            url = "/api/ws/events"
            with blind.websocket_connect(url) as ws_blind, seer.websocket_connect(url) as ws_seer:
                p.sink(event)
                live_blind, live_seer = ws_blind.receive_json(), ws_seer.receive_json()
            assert live_seer["attributes"]["person"] == "John Smith"
            assert live_blind["attributes"]["person"] == HIDDEN and live_blind["attributes"]["watchlist"] == HIDDEN
            assert live_blind["attributes"]["kind"] == "blacklist"  # what the operator must act on stays

            shown = seer.get(f"/api/events/{event.id}").json()["attributes"]
            assert shown["person"] == "John Smith" and shown["watchlist"] == "Wanted: Smith gang"
            for body in (blind.get(f"/api/events/{event.id}").text, blind.get("/api/events").text,
                         blind.get("/api/watchlists").text, blind.get(f"/api/watchlists/{wl['id']}").text):  # fmt: skip
                assert "Smith" not in body
            hidden = blind.get(f"/api/events/{event.id}").json()["attributes"]
            assert hidden["person"] == HIDDEN and hidden["similarity"] == 0.71
            assert "Smith" in seer.get("/api/watchlists").text
    finally:
        p.stop()
