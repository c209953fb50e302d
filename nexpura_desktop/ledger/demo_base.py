"""What every demo-shop table generator shares: sizes, seeded ids, a fixed clock, the people.

Determinism rules: nothing reads the real date or the process's hash seed.  Sequential
values come from ``random.Random`` streams seeded with text (stable across runs); values
that several tables need about the same row (a customer's name, a sale's id) are derived
from the row's index through a 64-bit mixer, so any generator can look them up without
holding whole tables in memory.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from ..errors import UserError
from . import demo_data as data

T = TypeVar("T")

REFERENCE_DATE = date(2026, 11, 1)
"""The demo shop's "today" (a fixed date, so the output never changes with the calendar)."""
HISTORY_DAYS = 3 * 365
FUTURE_DAYS = 400
ONBOARDING_DAYS = 14
"""The shop's first fortnight on Nexpura, when its existing stock and customers were imported."""
START_DATE = REFERENCE_DATE - timedelta(days=HISTORY_DAYS)
TODAY = HISTORY_DAYS
OPEN_MINUTE = 9 * 60 + 30
BUSINESS_MINUTES = 8 * 60

_M64 = (1 << 64) - 1
_M48 = (1 << 48) - 1


class DemoError(UserError):
    """The demo shop cannot be made or loaded (the message says why)."""


class UnknownSizeError(DemoError):
    """A size other than small, medium or large was asked for."""


@dataclass(frozen=True)
class Profile:
    """How big a demo shop is (row targets per table)."""

    name: str
    customers: int
    items: int
    sales: int
    staff: int
    suppliers: int
    repairs: int
    bespoke: int
    appointments: int
    tasks: int
    quotes: int
    vouchers: int
    notifications: int
    messages: int


PROFILES: dict[str, Profile] = {
    "small": Profile("small", 200, 160, 400, 8, 6, 60, 36, 60, 40, 16, 12, 12, 40),
    "medium": Profile(
        "medium", 20_000, 5_000, 50_000, 12, 10, 3_000, 600, 3_000, 1_200, 600, 400, 150, 3_000
    ),
    "large": Profile(
        "large", 200_000, 50_000, 400_000, 16, 14, 30_000, 6_000, 30_000, 12_000, 6_000,
        4_000, 1_000, 30_000,
    ),
}  # fmt: skip


def profile(size: str) -> Profile:
    try:
        return PROFILES[size]
    except KeyError:
        known = ", ".join(PROFILES)
        raise UnknownSizeError(f"unknown demo size {size!r}; choose one of {known}") from None


def mix64(z: int) -> int:
    """SplitMix64's finaliser: a bijection on 64-bit ints that scatters nearby inputs."""
    z = (z + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _perm48(x: int) -> int:
    """A bijection on 48-bit ints (odd multiply and xor-shift), for collision-free codes."""
    for _ in range(3):
        x = (x * 0x5DEECE66D) & _M48
        x ^= x >> 23
    return x


def cents(value: int) -> float:
    """Money as PostgREST writes ``numeric(12,2)``: a JSON number with two decimals at most."""
    return round(value / 100, 2)


def gst_in(total_cents: int) -> int:
    """GST contained in a tax-inclusive amount at 10 % (one eleventh), in cents."""
    return round(total_cents / 11)


class Ids:
    """Stable ids and random-access draws derived from the seed, a table name and an index."""

    def __init__(self, seed: int) -> None:
        self._seed = mix64((seed & _M64) ^ 0x5EED_0F_DE3050)
        self._bases: dict[str, int] = {}

    def base(self, kind: str) -> int:
        value = self._bases.get(kind)
        if value is None:
            value = self._bases[kind] = mix64(self._seed ^ zlib.crc32(kind.encode()))
        return value

    def uuid(self, kind: str, index: int) -> str:
        """A version-4-shaped UUID, unique per (kind, index)."""
        base = self.base(kind)
        x = (mix64(base + 2 * index) << 64) | mix64(base + 2 * index + 1)
        x = (x & ~(0xF << 76)) | (0x4 << 76)
        x = (x & ~(0x3 << 62)) | (0x2 << 62)
        h = f"{x:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def stream(self, kind: str) -> Callable[[], str]:
        """Sequential UUIDs for big child tables (cheaper than ``uuid``; replayable)."""
        bits = random.Random(f"ids:{self._seed}:{kind}").getrandbits
        clear = ~((0xF << 76) | (0x3 << 62))
        stamp = (0x4 << 76) | (0x2 << 62)

        def next_id() -> str:
            h = f"{(bits(128) & clear) | stamp:032x}"
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

        return next_id

    def draw(self, kind: str, index: int) -> int:
        """64 random-looking bits for (kind, index)."""
        return mix64(self.base(kind) + index)

    def code(self, kind: str, index: int) -> str:
        """12 upper-case hex characters, distinct for every index of one kind."""
        return f"{_perm48((self.base(kind) + index) & _M48):012X}"


def _first_sunday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7)


def sydney_offset_hours(day: date) -> int:
    """Sydney's UTC offset: +11 from the first Sunday of October to the first of April."""
    if day >= _first_sunday(day.year, 10) or day < _first_sunday(day.year, 4):
        return 11
    return 10


class Clock:
    """Shop days (0 = three years before the reference date) to stored dates and times.

    Times are local shop times converted to UTC, written as PostgREST writes
    ``timestamptz`` (ISO-8601 with an offset).
    """

    def __init__(self) -> None:
        days = range(HISTORY_DAYS + FUTURE_DAYS)
        self._dates = [START_DATE + timedelta(days=d) for d in days]
        self._date_text = [d.isoformat() for d in self._dates]
        self._midnight_utc = [
            datetime(d.year, d.month, d.day) - timedelta(hours=sydney_offset_hours(d))
            for d in self._dates
        ]

    def ts(self, day: int, minute: int = 0, second: int = 0) -> str:
        moment = self._midnight_utc[day] + timedelta(minutes=minute, seconds=second)
        return moment.isoformat() + "+00:00"

    def date(self, day: int) -> str:
        if 0 <= day < len(self._date_text):
            return self._date_text[day]
        return (START_DATE + timedelta(days=day)).isoformat()

    def weekday(self, day: int) -> int:
        return self._dates[day].weekday()


@dataclass(frozen=True, slots=True)
class Person:
    """What other tables copy about a customer (looked up by index, never stored in bulk)."""

    first: str
    last: str
    email: str | None
    mobile: str | None
    phone: str | None
    e164: str | None
    preference: str
    consent: bool | None

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True, slots=True)
class Staff:
    index: int
    team_id: str
    user_id: str | None
    name: str
    team_role: str
    user_role: str | None
    department: str
    mobile: str
    email: str


def _mobile_digits(h: int) -> str:
    return f"4{h % 100_000_000:08d}"


def _format_mobile(digits: str, style: int) -> str:
    """``digits`` is the 9-digit national number (4xxxxxxxx); styles are how people type it."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    styles = (
        f"0{a} {b} {c}",
        f"0{digits}",
        f"+61 {a} {b} {c}",
        f"(0{digits[0]}) {digits[1:5]} {digits[5:]}",
        f"61{digits}",
        f"0{a}-{b}-{c}",
        f"+61{digits}",
        f"0{digits[0]} {digits[1:5]} {digits[5:]}",
    )
    return styles[style]


_MOBILE_STYLE_WEIGHTS = (30, 15, 12, 6, 6, 6, 8, 5)
_MOBILE_STYLE_CUMULATIVE = [sum(_MOBILE_STYLE_WEIGHTS[: i + 1]) for i in range(8)]


class Shop:
    """The demo shop being generated: profile, seed, ids, clock and lazily built plans."""

    def __init__(self, prof: Profile, seed: int) -> None:
        self.profile = prof
        self.seed = seed
        self.ids = Ids(seed)
        self.clock = Clock()
        self.tenant_id = self.ids.uuid("tenants", 0)
        self.location_ids = (self.ids.uuid("locations", 0), self.ids.uuid("locations", 1))
        self._memo: dict[str, Any] = {}
        n = prof.customers
        self.imported_customers = n // 4
        self.staff = self._make_staff()
        self.users = [s for s in self.staff if s.user_id is not None]
        self.salespeople = [s for s in self.users if s.department in ("sales", "management")]
        self.workshop = [s for s in self.users if s.department == "workshop"]

    def rng(self, stream: str) -> random.Random:
        """A fresh, seeded stream: every pass over a table replays the same values."""
        return random.Random(f"nexpura-demo:{self.seed}:{stream}")

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """Plans several tables share (catalogue, sale survey), built once per shop."""
        if key not in self._memo:
            self._memo[key] = build()
        value: T = self._memo[key]
        return value

    # -- customers -------------------------------------------------------------------------
    def customer_day(self, index: int) -> int:
        """The day a customer was created (imports first, then steady growth)."""
        n0 = self.imported_customers
        if index < n0:
            return index * ONBOARDING_DAYS // max(n0, 1)
        span = HISTORY_DAYS - ONBOARDING_DAYS
        return ONBOARDING_DAYS + (index - n0) * span // max(self.profile.customers - n0, 1)

    def customers_before(self, day: int) -> int:
        """How many customers were created before ``day`` (valid from the end of onboarding)."""
        n0 = self.imported_customers
        span = HISTORY_DAYS - ONBOARDING_DAYS
        grown = (max(day, ONBOARDING_DAYS) - ONBOARDING_DAYS) * (self.profile.customers - n0)
        return max(1, min(self.profile.customers, n0 + grown // span))

    def customer_id(self, index: int) -> str:
        return self.ids.uuid("customers", index)

    def person(self, index: int) -> Person:
        h = self.ids.draw("customer-name", index)
        first = data.FIRST_NAMES[h % len(data.FIRST_NAMES)]
        h //= len(data.FIRST_NAMES)
        last = data.LAST_NAMES[h % len(data.LAST_NAMES)]
        h //= len(data.LAST_NAMES)
        email = self._email(first, last, index, h) if h % 100 < 86 else None
        h //= 100
        p = self.ids.draw("customer-phone", index)
        mobile, e164, phone = self._phones(p)
        pref_roll = (p >> 40) % 100
        if pref_roll < 25 and e164:
            preference = "whatsapp"
        elif pref_roll < 55 and e164:
            preference = "sms"
        elif pref_roll < 92 and email:
            preference = "email"
        else:
            preference = "none"
        consent_roll = (p >> 50) % 100
        consent = True if consent_roll < 45 else (False if consent_roll < 90 else None)
        return Person(first, last, email, mobile, phone, e164, preference, consent)

    def _email(self, first: str, last: str, index: int, h: int) -> str:
        f = "".join(ch for ch in first.lower() if ch.isalpha())
        la = "".join(ch for ch in last.lower() if ch.isalpha())
        domain = data.EMAIL_DOMAINS[(h >> 8) % len(data.EMAIL_DOMAINS)]
        style = h % 5
        suffix = "" if index < 150 else str(index % 997)
        local = (
            f"{f}.{la}{suffix}",
            f"{f}{la}{suffix}",
            f"{f[0]}.{la}{suffix}",
            f"{f}_{la}{suffix}",
            f"{f}{suffix or (index % 89)}",
        )[style]
        return f"{local}@{domain}"

    def _phones(self, p: int) -> tuple[str | None, str | None, str | None]:
        """(mobile as typed, mobile in E.164 or None, landline as typed or None)."""
        roll = p % 100
        digits = _mobile_digits(p >> 7)
        if roll < 5:
            mobile, e164 = None, None
        elif roll < 9:
            mobile, e164 = data.INTERNATIONAL_PHONES[(p >> 35) % len(data.INTERNATIONAL_PHONES)]
        elif roll < 12:
            mobile, e164 = data.INVALID_PHONES[(p >> 35) % len(data.INVALID_PHONES)], None
        else:
            pick = (p >> 35) % 88
            style = next(i for i, c in enumerate(_MOBILE_STYLE_CUMULATIVE) if pick < c)
            mobile, e164 = _format_mobile(digits, style), f"+61{digits}"
        phone = None
        if (p >> 45) % 100 < 22:
            land = f"9{(p >> 20) % 10_000_000:07d}"
            style = (p >> 60) % 3
            phone = ("(02) ", "02 ", "")[style] + f"{land[:4]} {land[4:]}"
        return mobile, e164, phone

    # -- staff -----------------------------------------------------------------------------
    def _make_staff(self) -> list[Staff]:
        staff = []
        for i, (name, team_role, user_role, dept) in enumerate(data.STAFF[: self.profile.staff]):
            first, _, last = name.partition(" ")
            local = f"{first.lower()}.{last.lower().replace(chr(39), '')}"
            h = self.ids.draw("staff-phone", i)
            staff.append(
                Staff(
                    index=i,
                    team_id=self.ids.uuid("team_members", i),
                    user_id=self.ids.uuid("users", i) if user_role else None,
                    name=name,
                    team_role=team_role,
                    user_role=user_role,
                    department=dept,
                    mobile=_format_mobile(_mobile_digits(h), 0),
                    email=f"{local}@larkspurjewellery.com.au",
                )
            )
        return staff

    def user_for(self, h: int, pool: list[Staff] | None = None) -> Staff:
        chosen = pool or self.users
        return chosen[h % len(chosen)]

    def location_for(self, h: int, showroom_share: int = 85) -> str:
        return self.location_ids[0 if h % 100 < showroom_share else 1]
