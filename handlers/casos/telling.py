"""Telling people about a case: a notice in "Avisos" and an e-mail in the outbox, in the step's transaction."""

from __future__ import annotations

from handlers.casos.models import CaseFile
from handlers.context import CaseStepContext
from handlers.ledger.notices import record_notice
from handlers.mail.outbox import queue_email

SIGNATURE = "\n\nServicios Financieros\nEste mensaje se generó automáticamente; responda desde «Mis casos»."


def tell_requester(ctx: CaseStepContext, case: CaseFile, kind: str, subject: str, body: str) -> None:
    """The requester sees it in "Avisos" and receives it at the case's contact address."""
    record_notice(ctx.session, recipient=case.requester, recipient_kind="user", subject=subject, body=body,
                  actor=ctx.actor, now=ctx.now, instance_ref=ctx.instance_ref)
    queue_email(ctx.session, kind=kind, to=case.contact_email, subject=subject, body=body + SIGNATURE,
                now=ctx.now, recipient_user=case.requester, instance_ref=ctx.instance_ref)


def tell_role(ctx: CaseStepContext, role: str, kind: str, subject: str, body: str) -> int:
    """Every member of ``role`` sees it in "Avisos"; those with an address also get it by e-mail."""
    record_notice(ctx.session, recipient=role, recipient_kind="role", subject=subject, body=body,
                  actor=ctx.actor, now=ctx.now, instance_ref=ctx.instance_ref)
    people = [person for person in ctx.contacts_in_role(role) if person.email]
    for person in people:
        queue_email(ctx.session, kind=kind, to=str(person.email), subject=subject, body=body, now=ctx.now,
                    recipient_user=person.username, instance_ref=ctx.instance_ref)
    return len(people)
