"""Payment plans (planes de pago): eligibility, options, the plan and its instalments, activation and lapse."""
