"""The requester's Oficina virtual: linked accounts, the account's statement, adhesions, online payment orders
and their application to the ledger, payment history."""
