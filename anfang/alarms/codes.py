"""Contact ID and SIA event codes → (alarm type, priority, state effect).

The table in docs/alarms.md is generated from these dicts.
``effect``: ``arm`` / ``disarm`` change a partition, ``bypass`` / ``unbypass`` a zone; ``test`` is a
periodic test report (supervision), ``None`` an alarm-type event that goes to the desk.
"""

from __future__ import annotations

# code: (type, priority 1 highest..5, effect)
CONTACT_ID: dict[str, tuple[str, int, str | None]] = {
    "100": ("medical", 1, None),
    "110": ("fire", 1, None),
    "120": ("panic", 1, None),
    "121": ("duress", 1, None),
    "122": ("panic_silent", 1, None),
    "130": ("burglary", 2, None),
    "131": ("burglary_perimeter", 2, None),
    "132": ("burglary_interior", 2, None),
    "133": ("burglary_24h", 2, None),
    "134": ("burglary_entry_exit", 2, None),
    "137": ("tamper", 2, None),
    "139": ("burglary_verified", 1, None),
    "144": ("sensor_tamper", 2, None),
    "150": ("24h_auxiliary", 3, None),
    "301": ("ac_loss", 3, None),
    "302": ("low_battery", 4, None),
    "305": ("system_reset", 5, None),
    "321": ("bell_fault", 3, None),
    "350": ("communication_fault", 3, None),
    "373": ("fire_loop_trouble", 2, None),
    "380": ("sensor_trouble", 3, None),
    "383": ("sensor_tamper", 2, None),
    "384": ("rf_low_battery", 4, None),
    "400": ("open_close", 5, "disarm"),
    "401": ("open_close_user", 5, "disarm"),
    "403": ("auto_arm", 5, "disarm"),
    "407": ("remote_arm", 5, "disarm"),
    "441": ("stay_arm", 5, "disarm"),
    "570": ("bypass", 5, "bypass"),
    "573": ("bypass_fire", 5, "bypass"),
    "574": ("group_bypass", 5, "bypass"),
    "602": ("periodic_test", 5, "test"),
    "603": ("rf_test", 5, "test"),
}

# SIA DCS two-letter codes (a subset; unknown codes go to the desk as type "sia_XX", priority 3).
SIA: dict[str, tuple[str, int, str | None]] = {
    "BA": ("burglary", 2, None),
    "BR": ("burglary", 2, "restore"),
    "FA": ("fire", 1, None),
    "FR": ("fire", 1, "restore"),
    "PA": ("panic", 1, None),
    "HA": ("duress", 1, None),
    "TA": ("tamper", 2, None),
    "TR": ("tamper", 2, "restore"),
    "AT": ("ac_loss", 3, None),
    "AR": ("ac_loss", 3, "restore"),
    "YT": ("low_battery", 4, None),
    "YR": ("low_battery", 4, "restore"),
    "CL": ("closing", 5, "arm"),
    "CG": ("closing", 5, "arm"),
    "OP": ("opening", 5, "disarm"),
    "OG": ("opening", 5, "disarm"),
    "UB": ("bypass", 5, "bypass"),
    "BB": ("bypass", 5, "bypass"),
    "UU": ("unbypass", 5, "unbypass"),
    "BU": ("unbypass", 5, "unbypass"),
    "RP": ("periodic_test", 5, "test"),
    "RX": ("manual_test", 5, "test"),
}


def classify_cid(event: dict[str, str]) -> tuple[str, int, str | None]:
    """Contact ID: qualifier 3 on an alarm code is a restore; on a 4xx code it is a closing (arm)."""
    kind, prio, effect = CONTACT_ID.get(event["code"], (f"cid_{event['code']}", 3, None))
    if event["qualifier"] == "3":
        if effect == "disarm":
            return kind, prio, "arm"
        if effect == "bypass":
            return kind, prio, "unbypass"
        if effect is None:
            return kind, prio, "restore"
    return kind, prio, effect


def classify_sia(event: dict[str, str]) -> tuple[str, int, str | None]:
    return SIA.get(event["code"], (f"sia_{event['code']}", 3, None))
