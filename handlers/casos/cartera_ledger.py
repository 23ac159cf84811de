"""What Cartera's case types read of a student's charges: which are still in force, which one a requester means,
what was paid on one, and the counter-entry that takes one back.

A charge is "in force" while the journal entry that posted it has no counter-entry: the ledger is append-only, so
a reversed charge stays in the statement next to its reversal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.casos.common import case_audit, posting_date
from handlers.context import StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.charges import CHARGE_LABELS
from handlers.ledger.journal import ZERO, counter_entry_of, post_counter_entry
from handlers.ledger.kinds import ChargeKind, EntryKind
from handlers.ledger.models import Account, Charge, Entry
from handlers.ledger.statement_render import format_date, format_money


def charge_entry(session: Session, charge: Charge) -> Entry:
    """The journal entry that posted ``charge``."""
    return session.scalars(select(Entry).where(Entry.charge_id == charge.id, Entry.kind == EntryKind.CHARGE)
                           .order_by(Entry.id)).first() or _missing(charge)


def _missing(charge: Charge) -> Entry:
    raise RuntimeError(f"charge {charge.id} has no journal entry")


def is_reversed(session: Session, charge: Charge) -> bool:
    return counter_entry_of(session, charge_entry(session, charge)) is not None


def charges_of(session: Session, account: Account, kind: ChargeKind | None = None) -> list[Charge]:
    """The account's charges, oldest first (reversed ones included)."""
    stmt = select(Charge).where(Charge.account_id == account.id)
    if kind is not None:
        stmt = stmt.where(Charge.kind == kind)
    return list(session.scalars(stmt.order_by(Charge.charged_on, Charge.id)))


def charges_in_force(session: Session, account: Account, kind: ChargeKind | None = None) -> list[Charge]:
    return [c for c in charges_of(session, account, kind) if not is_reversed(session, c)]


def current_tuition(session: Session, account: Account) -> Charge | None:
    """This term's tuition: the latest tuition charge in force."""
    found = charges_in_force(session, account, ChargeKind.TUITION)
    return found[-1] if found else None


def find_charge(session: Session, account: Account, text: object) -> Charge | None:
    """The charge a requester names by its number ("12", "#12") or its description as the statement shows it
    (case and accents as typed, spaces ignored at the ends). A charge in force is preferred to a reversed one."""
    wanted = str(text or "").strip()
    if not wanted:
        return None
    mine = charges_of(session, account)
    number = wanted.lstrip("#").strip()
    if number.isdigit():
        return next((c for c in mine if c.id == int(number)), None)
    label = wanted.casefold()
    matches = [c for c in mine if label in (c.description.casefold(), _statement_label(c).casefold())]
    in_force = [c for c in matches if not is_reversed(session, c)]
    found = in_force or matches
    return found[0] if found else None


def _statement_label(charge: Charge) -> str:
    return f"{CHARGE_LABELS[ChargeKind(charge.kind)]}: {charge.description}"


def same_charges_in_force(session: Session, charge: Charge) -> list[Charge]:
    """The charges in force of the same account, kind, description and amount as ``charge`` (itself included)."""
    account = session.get(Account, charge.account_id)
    assert account is not None
    return [c for c in charges_in_force(session, account, ChargeKind(charge.kind))
            if c.description == charge.description and c.amount == charge.amount]


@dataclass(frozen=True)
class ChargeStanding:
    """What happened to one charge: paid by abonos, covered by scholarships, and what is still owed."""

    charge: Charge
    paid: Decimal
    scholarships: Decimal
    reversed: bool

    @property
    def owed(self) -> Decimal:
        return ZERO if self.reversed else max(self.charge.amount - self.paid - self.scholarships, ZERO)


def standing_of(session: Session, charge: Charge) -> ChargeStanding:
    entries = list(session.scalars(select(Entry).where(Entry.charge_id == charge.id)))
    by_id = {e.id: e for e in entries}
    paid = scholarships = ZERO
    for entry in entries:
        kind = by_id[entry.reverses_id].kind if entry.reverses_id in by_id else entry.kind
        if kind == EntryKind.CREDIT:
            paid -= entry.amount
        elif kind == EntryKind.SCHOLARSHIP:
            scholarships -= entry.amount
    return ChargeStanding(charge, paid, scholarships, is_reversed(session, charge))


def describe_charge(session: Session, charge: Charge) -> str:
    """One line a requester understands: «Derecho de grado» (cargo 12) por $ 380.000,00 del 02/02/2026..."""
    standing = standing_of(session, charge)
    text = (f"«{charge.description}» (cargo {charge.id}) por {format_money(charge.amount)}, cobrado el "
            f"{format_date(charge.charged_on)} con vencimiento el {format_date(charge.due_on)}; pagado: "
            f"{format_money(standing.paid)}")
    if standing.scholarships:
        text += f"; becas y descuentos: {format_money(standing.scholarships)}"
    return text + ("; ya fue reversado." if standing.reversed else f"; pendiente: {format_money(standing.owed)}.")


def reverse_charge(ctx: StepContext, charge: Charge, why: str, field: str) -> Entry:
    """The counter-entry of ``charge``'s posting, dated today in Colombia; a reversed charge is refused."""
    if is_reversed(ctx.session, charge):
        raise HandlerInputError(f"El cargo «{charge.description}» (cargo {charge.id}) ya fue reversado.",
                                field=field)
    return post_counter_entry(ctx.session, charge_entry(ctx.session, charge), entry_on=posting_date(ctx),
                              description=f"Reversión: {charge.description}"[:200],
                              audit=case_audit(ctx, why))
