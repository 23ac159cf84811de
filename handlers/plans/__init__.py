"""Payment plans (planes de pago): eligibility, options, the plan and its instalments, activation and lapse.

A requester asks for a plan from the Oficina virtual (PLAN DE PAGO); the request runs as the ``plan_de_pago`` process
(processes/pagos/plan_de_pago), whose steps are in ``steps``: the overdue debt must reach ``terms.MIN_DEBT`` and the
account have no live plan; the options split it in 2, 3, 6 or 12 monthly instalments, without interest; the plan
generated refinances the overdue charges. Its first instalment falls due in 5 days: paid online (an order item of
kind "plan_instalment", ``instalments``), it sends the message ``cuota_inicial_pagada`` that activates the plan;
unpaid at the end of its due day, the process's timer lapses the plan and the charges are owed as before.
``queries`` is what the Oficina's pages read.
"""
