"""Writes about badges, one job per module: `issuance` (the one way a badge is issued), `outcomes`
(what happened to each pair, and its wording), `profiles` (creating and editing badges, with their
change records) and `revocation` (taking a badge back). Import from the module itself."""
