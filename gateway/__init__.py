"""A PSE-like payment gateway simulator: the bank's side of an online payment, a separate app."""
