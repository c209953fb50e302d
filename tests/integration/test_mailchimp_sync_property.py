"""Property: whatever the sequence of consent changes and Mailchimp-side exits, no customer
without marketing consent is ever subscribed, and nobody who left through Mailchimp comes back.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexpura_desktop.connectors.mailchimp import mapping
from tests.integration.mailchimp_sync_support import World, email

PEOPLE = ("a", "b", "c")
# customer id -> address: "b2" is a second record of b's address (duplicates happen)
RECORDS = {"a": email("a"), "b": email("b"), "b2": email("b").upper(), "c": email("c")}

consent = st.sampled_from([True, False, None])
step = st.one_of(
    st.tuples(st.just("consent"), st.sampled_from(sorted(RECORDS)), consent),
    st.tuples(
        st.just("exit"),
        st.sampled_from(PEOPLE),
        st.sampled_from(["unsubscribed", "cleaned", "compliance"]),
    ),
    st.tuples(st.just("rename"), st.sampled_from(sorted(RECORDS)), st.text("xyz ", max_size=6)),
    st.tuples(st.just("sync"), st.none(), st.none()),
)


def check(world: World, exited: set[str]) -> None:
    rows = world.sql("SELECT id, lower(email), marketing_consent FROM customers")
    by_address: dict[str, list[object]] = {}
    for _cid, address, value in rows:
        by_address.setdefault(address, []).append(value)
    for address, status in world.statuses().items():
        if status != "subscribed":
            continue
        values = by_address.get(address, [])
        assert 1 in values and 0 not in values, (address, values)
        assert address not in exited, f"{address} left through Mailchimp but is subscribed again"


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    initial=st.fixed_dictionaries({cid: consent for cid in RECORDS}),
    steps=st.lists(step, min_size=1, max_size=10),
)
def test_no_non_consenting_customer_is_ever_subscribed(
    initial: dict[str, bool | None], steps: list[tuple[str, object, object]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder) / "ledger.sqlite3")
        for cid, address in RECORDS.items():
            world.customer(cid, address, initial[cid])
        exited: set[str] = set()
        world.run_direct()
        check(world, exited)
        for kind, who, value in steps:
            if kind == "consent":
                assert isinstance(who, str)
                world.update(who, marketing_consent=value)
            elif kind == "rename":
                assert isinstance(who, str)
                world.update(who, full_name=value)
            elif kind == "exit":
                assert isinstance(who, str) and isinstance(value, str)
                address = email(who)
                member = world.members().get(address)
                if member is None or member["status"] == "archived":
                    continue
                if value == "compliance" or member["status"] in ("subscribed", "pending"):
                    world.event(address, value)
                    if value != "compliance":
                        exited.add(address)
            else:
                world.run_direct()
                check(world, exited)
        world.run_direct()
        check(world, exited)


@given(
    customers=st.lists(
        st.builds(
            mapping.Customer,
            id=st.sampled_from(["1", "2", "3"]),
            email=st.just("x@shop.com.au"),
            consent=consent,
            first_name=st.just("X"),
            last_name=st.just("Y"),
            phone=st.just(""),
            deleted=st.booleans(),
        ),
        max_size=4,
    ),
    known=st.one_of(
        st.none(),
        st.builds(
            mapping.Known,
            status=st.sampled_from(["subscribed", "unsubscribed", "cleaned", "pending"]),
            set_by=st.sampled_from(["us", "mailchimp"]),
            blocked=st.sampled_from([None, "unsubscribed", "cleaned", "compliance", "forgotten"]),
        ),
    ),
)
def test_decide_subscribes_only_with_consent_and_no_block(
    customers: list[mapping.Customer], known: mapping.Known | None
) -> None:
    decision = mapping.decide(customers, known)
    live = [c for c in customers if not c.deleted]
    if decision.action == "subscribe":
        assert any(c.consent is True for c in live)
        assert not any(c.consent is False for c in live)
        assert known is None or known.blocked is None
        assert decision.customer is not None and decision.customer.consent is True
        payload = mapping.subscribe_payload(decision.customer, resubscribe=decision.resubscribe)
        if "status" in payload:  # only ever to reverse our own unsubscribe
            assert known is not None and known.set_by == "us" and known.status == "unsubscribed"
    if decision.action == "unsubscribe":
        assert known is not None and known.status in ("subscribed", "pending")
