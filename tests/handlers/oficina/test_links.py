"""Linked accounts: linking needs the number and the holder's document; the latest event wins; 404 otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import Database
from handlers.errors import HandlerInputError
from handlers.oficina.link_models import AccountLinkAttempt, AccountLinkEvent
from handlers.oficina.links import (
    ATTEMPT_WINDOW,
    MAX_FAILED_ATTEMPTS,
    NO_MATCH,
    NotLinked,
    StateConflict,
    TooManyAttempts,
    find_account_to_link,
    link_account,
    linked_account_id,
    linked_accounts,
    office_header,
    unlink_account,
)
from tests.handlers.oficina.office_data import AUDIT, NOW, student


def test_link_needs_the_number_and_the_holders_document(db: Database) -> None:
    with db.write() as session:
        account = student(session)
        linked = link_account(session, "padre", "30001", "1.011.121-314 ", AUDIT)
        assert linked.code == "30001" and linked.name == "Lina Prueba" and linked.campus_name == "Bogotá"
        assert linked_account_id(session, "padre", "30001") == account.id
        assert [a.code for a in linked_accounts(session, "padre")] == ["30001"]


@pytest.mark.parametrize(("code", "document"), [("30001", "999"), ("99999", "1011121314")])
def test_a_wrong_pair_gets_one_message_whichever_part_is_wrong(db: Database, code: str, document: str) -> None:
    with db.write() as session:
        student(session)
        with pytest.raises(HandlerInputError) as found:
            find_account_to_link(session, code, document, username="padre", now=NOW)
        assert found.value.message == NO_MATCH and found.value.field == "cuenta"
        with pytest.raises(HandlerInputError):
            link_account(session, "padre", code, document, AUDIT)
        assert linked_accounts(session, "padre") == []


@pytest.mark.parametrize(("code", "document", "field"),
                         [("", "1", "cuenta"), ("30 001;", "1", "cuenta"), ("30001", " ", "documento"),
                          ("30001", "x" * 40, "documento")])
def test_bad_fields_are_named(db: Database, code: str, document: str, field: str) -> None:
    with db.write() as session:
        student(session)
        with pytest.raises(HandlerInputError) as found:
            find_account_to_link(session, code, document, username="padre", now=NOW)
        assert found.value.field == field


def test_generic_accounts_cannot_be_linked(db: Database) -> None:
    with db.write() as session:
        student(session)
        with pytest.raises(HandlerInputError):
            find_account_to_link(session, "GEN-BOG", "", username="padre", now=NOW)
        with pytest.raises(HandlerInputError) as found:
            find_account_to_link(session, "GEN-GLOBAL", "1011121314", username="padre", now=NOW)
        assert found.value.message == NO_MATCH


def test_linking_twice_is_a_conflict(db: Database) -> None:
    with db.write() as session:
        student(session)
        link_account(session, "padre", "30001", "1011121314", AUDIT)
        with pytest.raises(StateConflict):
            link_account(session, "padre", "30001", "1011121314", AUDIT)


def test_a_parent_switches_between_two_children(db: Database) -> None:
    with db.write() as session:
        student(session, "30001", "111", "Hija Uno")
        student(session, "30002", "222", "Hijo Dos")
        link_account(session, "padre", "30002", "222", AUDIT)
        link_account(session, "padre", "30001", "111", AUDIT)
        header = office_header(session, "padre", "30001")
        assert header.current.name == "Hija Uno"
        assert [a.code for a in header.others] == ["30002"]
        assert [a.code for a in linked_accounts(session, "padre")] == ["30002", "30001"]  # oldest link first
        assert [a.code for a in linked_accounts(session, "padre", containing="02")] == ["30002"]


def test_not_linked_or_unknown_accounts_raise_not_linked(db: Database) -> None:
    with db.write() as session:
        student(session)
        link_account(session, "padre", "30001", "1011121314", AUDIT)
        for username, code in (("otro", "30001"), ("padre", "99999")):
            with pytest.raises(NotLinked):
                linked_account_id(session, username, code)
            with pytest.raises(NotLinked):
                office_header(session, username, code)
        assert not issubclass(NotLinked, HandlerInputError)  # a 404, never a 400 naming a field


def test_unlink_is_an_event_and_the_latest_event_wins(db: Database) -> None:
    with db.write() as session:
        student(session)
        link_account(session, "padre", "30001", "1011121314", AUDIT)
        unlink_account(session, "padre", "30001", AUDIT)
        with pytest.raises(NotLinked):
            linked_account_id(session, "padre", "30001")
        with pytest.raises(NotLinked):
            unlink_account(session, "padre", "30001", AUDIT)
        link_account(session, "padre", "30001", "1011121314", AUDIT)
        assert [a.code for a in linked_accounts(session, "padre")] == ["30001"]
        events = session.scalar(select(func.count()).select_from(AccountLinkEvent))
        assert events == 3
        kinds = session.scalars(select(AccountLinkEvent.kind).order_by(AccountLinkEvent.id)).all()
        assert kinds == ["vinculada", "desvinculada", "vinculada"]


def test_another_users_link_is_theirs_alone(db: Database) -> None:
    with db.write() as session:
        student(session)
        link_account(session, "madre", "30001", "1011121314", AUDIT)
        link_account(session, "padre", "30001", "1011121314", AUDIT)
        unlink_account(session, "madre", "30001", AUDIT)
        assert linked_accounts(session, "madre") == []
        assert [a.code for a in linked_accounts(session, "padre")] == ["30001"]


def _guess(session: Session, username: str, document: str, now: datetime) -> None:
    """One wrong pair, counted as a view counts it: caught inside the transaction that recorded it."""
    with pytest.raises(HandlerInputError):
        find_account_to_link(session, "30001", document, username=username, now=now)


def test_guessing_documents_is_slowed_down(db: Database) -> None:
    with db.write() as session:
        student(session)
        for guess in range(MAX_FAILED_ATTEMPTS):
            _guess(session, "curioso", f"99{guess}", NOW)
    with db.write() as session:
        assert session.scalar(select(func.count()).select_from(AccountLinkAttempt)) == MAX_FAILED_ATTEMPTS
        with pytest.raises(TooManyAttempts):  # even the right pair, until the window passes
            find_account_to_link(session, "30001", "1011121314", username="curioso", now=NOW)
        with pytest.raises(TooManyAttempts):
            link_account(session, "curioso", "30001", "1011121314", AUDIT)
        assert find_account_to_link(session, "30001", "1011121314", username="otro", now=NOW).code == "30001"
        later = NOW + ATTEMPT_WINDOW + timedelta(seconds=1)
        assert find_account_to_link(session, "30001", "1011121314", username="curioso", now=later).code == "30001"


def test_empty_fields_and_right_pairs_are_not_counted(db: Database) -> None:
    with db.write() as session:
        student(session)
        for _ in range(MAX_FAILED_ATTEMPTS + 1):
            with pytest.raises(HandlerInputError):
                find_account_to_link(session, "", "1", username="padre", now=NOW)
            find_account_to_link(session, "30001", "1011121314", username="padre", now=NOW)
        assert session.scalar(select(func.count()).select_from(AccountLinkAttempt)) == 0
