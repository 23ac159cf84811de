"""Mis cuentas: the ledger accounts a requester linked to their user (a student their own, a parent two children's).

Linking asks for the account number AND the holder's document number (both printed on each invoice), so knowing
a number alone does not open someone's statement. A wrong pair gets one message whichever part was wrong.
Links are append-only events; the latest event of a (user, account) pair says whether it is linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.kinds import AccountKind
from handlers.ledger.models import Account, Campus
from handlers.ledger.values import Audit
from handlers.oficina.link_models import AccountLinkAttempt, AccountLinkEvent, LinkKind

MAX_CODE = 32
MAX_DOCUMENT = 32
#: Failed searches a user may make in the window before being asked to wait.
MAX_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(minutes=15)
NO_MATCH = ("No encontramos una cuenta con ese número y ese documento del titular. "
            "Verifique ambos datos en su factura.")


class NotLinked(Exception):
    """The account does not exist or is not linked to the user: the web answers 404 (it reveals neither)."""


class TooManyAttempts(Exception):
    """Too many number/document pairs that did not match, lately: the web answers 429."""


class StateConflict(HandlerInputError):
    """What was asked is already so (linked twice, adhered twice, cancelling what is not adhered): a 409."""


@dataclass(frozen=True)
class LinkedAccount:
    code: str
    name: str
    document_id: str | None
    program: str | None
    campus_name: str | None


@dataclass(frozen=True)
class OfficeHeader:
    """The account being managed and the user's other linked accounts (the layout's "Otras cuentas")."""

    current: LinkedAccount
    others: tuple[LinkedAccount, ...]


def _view(account: Account, campus_name: str | None) -> LinkedAccount:
    return LinkedAccount(code=account.code, name=account.name, document_id=account.document_id,
                         program=account.program, campus_name=campus_name)


def _accounts_with_campus(session: Session, account_ids: list[int]) -> dict[int, LinkedAccount]:
    rows = session.execute(select(Account, Campus.name).outerjoin(Campus, Campus.id == Account.campus_id)
                           .where(Account.id.in_(account_ids)))
    return {account.id: _view(account, campus) for account, campus in rows}


def _linked_ids(session: Session, username: str) -> list[int]:
    """The user's linked account ids in the order they were (last) linked."""
    latest: dict[int, AccountLinkEvent] = {}
    for event in session.scalars(select(AccountLinkEvent).where(AccountLinkEvent.username == username)
                                 .order_by(AccountLinkEvent.id)):
        latest[event.account_id] = event
    linked = [e for e in latest.values() if e.kind == LinkKind.LINKED]
    return [e.account_id for e in sorted(linked, key=lambda e: e.id)]


def linked_accounts(session: Session, username: str, containing: str | None = None) -> list[LinkedAccount]:
    """The user's linked accounts, oldest link first; ``containing`` keeps those whose number contains it."""
    ids = _linked_ids(session, username)
    views = _accounts_with_campus(session, ids)
    found = [views[i] for i in ids if i in views]
    needle = (containing or "").strip()
    return [a for a in found if needle in a.code] if needle else found


def _is_linked(session: Session, username: str, account_id: int) -> bool:
    latest = session.scalars(select(AccountLinkEvent.kind)
                             .where(AccountLinkEvent.username == username, AccountLinkEvent.account_id == account_id)
                             .order_by(AccountLinkEvent.id.desc()).limit(1)).first()
    return latest == LinkKind.LINKED


def linked_account_id(session: Session, username: str, account_code: str) -> int:
    """The ledger_account.id of a linked account; NotLinked when unknown or not the user's."""
    account_id = session.scalars(select(Account.id).where(Account.code == str(account_code))).one_or_none()
    if account_id is None or not _is_linked(session, username, account_id):
        raise NotLinked(account_code)
    return account_id


def office_header(session: Session, username: str, account_code: str) -> OfficeHeader:
    accounts = linked_accounts(session, username)
    current = next((a for a in accounts if a.code == account_code), None)
    if current is None:
        raise NotLinked(account_code)
    return OfficeHeader(current=current, others=tuple(a for a in accounts if a is not current))


def _clean_code(value: str) -> str:
    code = (value or "").strip()
    if not code:
        raise HandlerInputError("Escriba el número de cuenta.", field="cuenta")
    if len(code) > MAX_CODE or not code.replace("-", "").isalnum():
        raise HandlerInputError("El número de cuenta solo lleva letras, dígitos y guiones (hasta 32).",
                                field="cuenta")
    return code


def _document_digits(value: str | None) -> str:
    """A document number without the dots, spaces and hyphens people write it with."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def _clean_document(value: str) -> str:
    document = _document_digits(value)
    if not document:
        raise HandlerInputError("Escriba el número de documento del titular.", field="documento")
    if len(document) > MAX_DOCUMENT or not document.isalnum():
        raise HandlerInputError("El documento solo lleva letras y dígitos (hasta 32).", field="documento")
    return document


def _failed_attempts(session: Session, username: str, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(AccountLinkAttempt).where(
        AccountLinkAttempt.username == username, AccountLinkAttempt.attempted_at > now - ATTEMPT_WINDOW)) or 0


def _matching_account(session: Session, account_code: str, holder_document: str, username: str,
                      now: datetime) -> Account:
    """The student account of the pair. A pair that does not match is recorded (flushed) before the error: the
    caller that wants it counted commits it, so it catches the error inside its transaction."""
    code, document = _clean_code(account_code), _clean_document(holder_document)
    if _failed_attempts(session, username, now) >= MAX_FAILED_ATTEMPTS:
        raise TooManyAttempts(username)
    account = session.scalars(select(Account).where(Account.code == code)).one_or_none()
    if account is None or account.kind != AccountKind.STUDENT or _document_digits(account.document_id) != document:
        session.add(AccountLinkAttempt(username=username, account_code=code, attempted_at=now))
        session.flush()
        raise HandlerInputError(NO_MATCH, field="cuenta")
    return account


def find_account_to_link(session: Session, account_code: str, holder_document: str, *, username: str,
                         now: datetime) -> LinkedAccount:
    """"Buscar": the main data of the account, when the number and the holder's document match."""
    account = _matching_account(session, account_code, holder_document, username, now)
    return _accounts_with_campus(session, [account.id])[account.id]


def link_account(session: Session, username: str, account_code: str, holder_document: str,
                 audit: Audit) -> LinkedAccount:
    account = _matching_account(session, account_code, holder_document, username, audit.at)
    if _is_linked(session, username, account.id):
        raise StateConflict(f"La cuenta {account.code} ya está vinculada a su usuario.", field="cuenta")
    session.add(AccountLinkEvent(username=username, account_id=account.id, kind=LinkKind.LINKED,
                                 **audit.columns()))
    session.flush()
    return _accounts_with_campus(session, [account.id])[account.id]


def unlink_account(session: Session, username: str, account_code: str, audit: Audit) -> None:
    account_id = linked_account_id(session, username, account_code)
    session.add(AccountLinkEvent(username=username, account_id=account_id, kind=LinkKind.UNLINKED,
                                 **audit.columns()))
    session.flush()
