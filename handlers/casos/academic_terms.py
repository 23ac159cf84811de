"""Which term a student is in, read from the ledger: the rule a graduation payoff relies on.

There is no academic register here, so the rule is the one finance can check itself: every term a student
enrols in is charged its tuition (one ``tuition`` charge a term), so the number of tuition charges not reversed
is the term the student is in. A student is in the last term when that number reaches the programme's length
(``PROGRAM_TERMS``, ten terms for an undergraduate programme not listed).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from handlers.ledger.kinds import ChargeKind, EntryKind
from handlers.ledger.models import Account, Charge, Entry

DEFAULT_TERMS = 10

#: Length in terms of the programmes that do not last the default ten.
PROGRAM_TERMS = {
    "Especialización en Finanzas": 2,
    "Maestría en Administración": 4,
    "Profesionalización en Contaduría Pública": 4,
    "Profesionalización en Administración de Empresas": 4,
    "Tecnología en Gestión Financiera": 6,
}


@dataclass(frozen=True)
class TermStanding:
    program: str
    term: int  # terms charged so far
    terms: int  # the programme's length

    @property
    def last_term(self) -> bool:
        return self.term >= self.terms


def term_standing(session: Session, account: Account) -> TermStanding:
    reversal = aliased(Entry)
    charged = session.scalars(
        select(Charge.id)
        .join(Entry, (Entry.charge_id == Charge.id) & (Entry.kind == EntryKind.CHARGE))
        .outerjoin(reversal, reversal.reverses_id == Entry.id)
        .where(Charge.account_id == account.id, Charge.kind == ChargeKind.TUITION, reversal.id.is_(None))
    ).all()
    program = account.program or ""
    return TermStanding(program=program, term=len(set(charged)), terms=PROGRAM_TERMS.get(program, DEFAULT_TERMS))
