"""Who reads what of an entity's credit file: the duties that must check credit (应查必查), the
entity's consents, the scope decision and the query log (R-PUB-2, R-PUB-3, R-SEC-3)."""
