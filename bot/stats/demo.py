"""A synthetic database for trying the reports without real users.

NGOs evaluating LureCheck (and our docs) need figures to look at before the bot has run
anywhere. Every count here is invented from a seeded random generator; the referral codes
are prefixed ``demo-`` so a demo file cannot be mistaken for real data.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from pathlib import Path

from bot.stats.events import KINDS, LANGUAGES, RISKS, CheckEvent
from bot.stats.store import Store

_RULES = ("free-travel", "pay-too-good", "no-experience", "contact-offplatform", "passport-kept")
_DESTINATIONS = ("KH", "MM", "LA", "PH", "TH")
_REFERRALS = (None, None, None, "demo-ngo-a", "demo-ngo-b", "demo-hotline-poster")


async def write_demo(db_path: Path, until: date, weeks: int = 12, seed: int = 6) -> None:
    """Fill a NEW database at *db_path* with *weeks* weeks of invented checks up to *until*."""
    if db_path.exists():
        raise FileExistsError(f"{db_path} exists; the demo only writes a new file")
    rng = random.Random(seed)
    # A throwaway secret: the demo has no real people and must not create secret.key.
    store = await Store.open(db_path, secrets.token_bytes(32), flush_interval=3600)
    try:
        start = until - timedelta(days=7 * weeks - 1)
        for offset in range(7 * weeks):
            day = start + timedelta(days=offset)
            growth = 1 + offset / (7 * weeks)  # the bot gets known over time
            for person in range(int(rng.randint(4, 30) * growth)):
                referral = rng.choice(_REFERRALS)
                await store.note_contact(offset * 10_000 + person, referral, day)
            for _ in range(int(rng.randint(6, 40) * growth)):
                risk = rng.choices(RISKS, weights=(30, 20, 25, 25))[0]
                rules = () if risk == "none" else tuple(rng.sample(_RULES, rng.randint(1, 3)))
                store.record(
                    CheckEvent(
                        day=day,
                        language=rng.choices(LANGUAGES, weights=(50, 30, 16, 4))[0],
                        kind=rng.choices(KINDS, weights=(30, 52, 15, 3))[0],
                        risk=risk,
                        rules=rules,
                        destinations=tuple(rng.sample(_DESTINATIONS, rng.randint(0, 1))),
                        referral=rng.choice(_REFERRALS),
                    )
                )
    finally:
        await store.close()
