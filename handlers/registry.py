"""The explicit registry of handler functions the BPMN may call, by name. Nothing is discovered by magic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers import pro_maa_16
from handlers.casos import ach_transfers as ach
from handlers.casos import activation as tuition_activation
from handlers.casos import balance_transfers as transfers
from handlers.casos import cents_receipts as cents
from handlers.casos import charge_reversals as reversals
from handlers.casos import collections_advice as collections
from handlers.casos import common as case_common
from handlers.casos import company_invoices as company
from handlers.casos import icetex as icetex_giros
from handlers.casos import international_transfers as international
from handlers.casos import lifecycle as cases
from handlers.casos import loan_payoffs as payoffs
from handlers.casos import payment_issues as payment_problems
from handlers.casos import refunds, tuition_reversals
from handlers.casos import statement_inquiry as inquiry
from handlers.casos import tuition_adjustments as tuition
from handlers.plans import steps as plan_steps

HANDLERS: dict[str, Callable[..., Any]] = {
    # PRO-MAA-16 gateway conditions (return bool)
    "requester_may_annul": pro_maa_16.requester_may_annul,
    "payment_is_invoiced": pro_maa_16.payment_is_invoiced,
    "invoice_is_used": pro_maa_16.invoice_is_used,
    "payment_is_identified": pro_maa_16.payment_is_identified,
    "payment_sent_to_accounting": pro_maa_16.payment_sent_to_accounting,
    "invoice_annulled_for": pro_maa_16.invoice_annulled_for,
    # PRO-MAA-16 service tasks (write the ledger, return a small dict)
    "describe_payment": pro_maa_16.describe_payment,
    "annul_invoice": pro_maa_16.annul_invoice,
    "release_payment": pro_maa_16.release_payment,
    "move_to_generic_bag": pro_maa_16.move_to_generic_bag,
    "annul_credit": pro_maa_16.annul_credit,
    "annul_payment": pro_maa_16.annul_payment,
    "reverse_accounting": pro_maa_16.reverse_accounting,
    "reinvoice": pro_maa_16.reinvoice,
    "notify_requester": pro_maa_16.notify_requester,
    # Financial-service cases: what every case type shares (handlers/casos/lifecycle.py)
    "case_open": cases.case_open,
    "case_triage": cases.case_triage,
    "case_request_info": cases.case_request_info,
    "case_info_answered": cases.case_info_answered,
    "case_escalate": cases.case_escalate,
    "case_close": cases.case_close,
    "pesos": case_common.pesos,  # "$ 1.752.770,00", for messages built in expressions
    # Devolución de saldos
    "refund_fits_balance": refunds.refund_fits_balance,
    "refund_credit_balance": refunds.refund_credit_balance,
    "credit_balance": refunds.credit_balance,
    # Tesorería: traslados de saldos, transferencias ACH e internacionales, pago con centavos
    "transfer_destination_ok": transfers.transfer_destination_ok,
    "transfer_destination_problem": transfers.destination_problem,
    "transfer_fits_balance": transfers.transfer_fits_balance,
    "credit_balance_text": transfers.credit_balance_text,
    "transfer_credit_balance": transfers.transfer_credit_balance,
    "ach_request_is_valid": ach.ach_request_is_valid,
    "ach_request_problem": ach.ach_request_problem,
    "issue_ach_instruction": ach.issue_ach_instruction,
    "international_estimate_fits": international.international_estimate_fits,
    "international_problem": international.international_problem,
    "issue_international_instruction": international.issue_international_instruction,
    "cheque_has_cents": cents.cheque_has_cents,
    "cents_receipt_fits": cents.cents_receipt_fits,
    "cents_receipt_problem": cents.cents_receipt_problem,
    "issue_cents_receipt": cents.issue_cents_receipt,
    # Cartera: reliquidación de matrícula, reversiones de derechos pecuniarios, aplicación de beneficios, cargos
    # por valores cobrados (handlers/casos/tuition_adjustments.py, charge_reversals.py)
    "tuition_differs": tuition.tuition_differs,
    "tuition_unchanged_reason": tuition.tuition_unchanged_reason,
    "reliquidate_tuition": tuition.reliquidate_tuition,
    "benefit_applicable": tuition.benefit_applicable,
    "benefit_refusal": tuition.benefit_refusal,
    "apply_benefit": tuition.apply_benefit,
    "fee_is_reversible": reversals.fee_is_reversible,
    "fee_refusal": reversals.fee_refusal,
    "reverse_fee": reversals.reverse_fee,
    "charge_is_duplicate": reversals.charge_is_duplicate,
    "reverse_duplicate_charge": reversals.reverse_duplicate_charge,
    "explain_charge": reversals.explain_charge,
    # Consultas: activación de matrícula, asesoría en cobranzas, aclaración del estado de cuenta (Cartera),
    # inconvenientes con pagos (Tesorería)
    "tuition_is_covered": tuition_activation.tuition_is_covered,
    "tuition_pending_message": tuition_activation.tuition_pending_message,
    "activate_tuition": tuition_activation.activate_tuition,
    "has_overdue_balance": collections.has_overdue_balance,
    "no_overdue_message": collections.no_overdue_message,
    "propose_payment_agreement": collections.propose_payment_agreement,
    "statement_has_movements": inquiry.statement_has_movements,
    "empty_statement_message": inquiry.empty_statement_message,
    "issue_statement_summary": inquiry.issue_statement_summary,
    "payment_on_account": payment_problems.payment_on_account,
    "locate_payment": payment_problems.locate_payment,
    "generic_bag_check": payment_problems.generic_bag_check,
    "issue_payment_claim": payment_problems.issue_payment_claim,
    # Crédito: liquidación de crédito a largo plazo, giros adicionales de Icetex; Facturación: factura para empresas
    # (handlers/casos/loan_payoffs.py, icetex.py, company_invoices.py)
    "loan_can_be_liquidated": payoffs.loan_can_be_liquidated,
    "loan_problem": payoffs.loan_problem,
    "partial_payoff_fits": payoffs.partial_payoff_fits,
    "in_last_term": payoffs.in_last_term,
    "term_text": payoffs.term_text,
    "loan_balance": payoffs.loan_balance,
    "liquidate_loan": payoffs.liquidate_loan,
    "has_icetex_loan": icetex_giros.has_icetex_loan,
    "has_pending_tuition": icetex_giros.has_pending_tuition,
    "pending_tuition": icetex_giros.pending_tuition,
    "certify_icetex_balance": icetex_giros.certify_icetex_balance,
    "company_nit_is_valid": company.company_nit_is_valid,
    "company_nit_problem": company.company_nit_problem,
    "company_payment_invoiceable": company.company_payment_invoiceable,
    "company_payment_problem": company.company_payment_problem,
    "invoice_company": company.invoice_company,
    # Reversiones de matrícula (Cartera; the reversal itself runs in PRO-MAA-16, started by the case's message)
    "tuition_payment_reversible": tuition_reversals.tuition_payment_reversible,
    "tuition_reversal_summary": tuition_reversals.tuition_reversal_summary,
    # Planes de pago (Oficina virtual; processes/pagos/plan_de_pago, handlers/plans/steps.py)
    "plan_eligibility": plan_steps.plan_eligibility,
    "plan_generate": plan_steps.plan_generate,
    "plan_activate": plan_steps.plan_activate,
    "plan_lapse": plan_steps.plan_lapse,
}
