"""Campuses and accounts: student accounts and the generic accounts of the "bolsa genérica"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import HandlerInputError
from handlers.ledger.kinds import AccountKind
from handlers.ledger.models import Account, Campus
from handlers.ledger.values import Audit

GLOBAL_GENERIC_CODE = "GEN-GLOBAL"
GLOBAL_GENERIC_NAME = "Usuario Genérico"


def campus_generic_code(campus_code: str) -> str:
    """The code of a campus's "Autoservicio Genérico" account."""
    return f"GEN-{campus_code}"


def find_campus(session: Session, code: str) -> Campus | None:
    return session.scalars(select(Campus).where(Campus.code == code)).one_or_none()


def get_campus(session: Session, code: str, *, field: str = "campus") -> Campus:
    campus = find_campus(session, code)
    if campus is None:
        raise HandlerInputError(f"No existe el campus «{code}».", field=field)
    return campus


def find_account(session: Session, code: str) -> Account | None:
    return session.scalars(select(Account).where(Account.code == code)).one_or_none()


def get_account(session: Session, code: str, *, field: str = "account") -> Account:
    account = find_account(session, code)
    if account is None:
        raise HandlerInputError(f"No existe la cuenta «{code}».", field=field)
    return account


def create_campus(session: Session, *, code: str, name: str, audit: Audit) -> Campus:
    """A campus and its "Autoservicio Genérico" account; the global generic account too if missing."""
    if find_campus(session, code) is not None:
        raise HandlerInputError(f"Ya existe el campus «{code}».", field="code")
    campus = Campus(code=code, name=name, **audit.columns())
    session.add(campus)
    session.flush()
    ensure_global_generic_account(session, audit)
    session.add(
        Account(
            code=campus_generic_code(code),
            name=f"Autoservicio Genérico {name}",
            kind=AccountKind.CAMPUS_GENERIC,
            campus_id=campus.id,
            **audit.columns(),
        )
    )
    session.flush()
    return campus


def ensure_global_generic_account(session: Session, audit: Audit) -> Account:
    account = find_account(session, GLOBAL_GENERIC_CODE)
    if account is None:
        account = Account(
            code=GLOBAL_GENERIC_CODE, name=GLOBAL_GENERIC_NAME, kind=AccountKind.GENERIC, **audit.columns()
        )
        session.add(account)
        session.flush()
    return account


def create_student_account(
    session: Session,
    *,
    code: str,
    name: str,
    document_id: str,
    program: str,
    campus_code: str,
    audit: Audit,
) -> Account:
    if find_account(session, code) is not None:
        raise HandlerInputError(f"Ya existe la cuenta «{code}».", field="code")
    campus = get_campus(session, campus_code)
    account = Account(
        code=code,
        name=name,
        kind=AccountKind.STUDENT,
        document_id=document_id,
        program=program,
        campus_id=campus.id,
        **audit.columns(),
    )
    session.add(account)
    session.flush()
    return account


def generic_account_for(session: Session, campus_id: int | None, audit: Audit) -> Account:
    """Where an unidentified payment goes: its campus's generic account, else the global one."""
    if campus_id is None:
        return ensure_global_generic_account(session, audit)
    campus = session.get(Campus, campus_id)
    if campus is None:  # pragma: no cover - guarded by the foreign key
        raise LookupError(f"No se encontró el campus con id {campus_id}.")
    account = find_account(session, campus_generic_code(campus.code))
    if account is None:
        account = Account(
            code=campus_generic_code(campus.code),
            name=f"Autoservicio Genérico {campus.name}",
            kind=AccountKind.CAMPUS_GENERIC,
            campus_id=campus.id,
            **audit.columns(),
        )
        session.add(account)
        session.flush()
    return account
