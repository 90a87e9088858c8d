"""The completion sweep: record who completed each achievement and issue the mapped badges.

Per achievement, a few set-based statements in one transaction: `INSERT … SELECT … ON CONFLICT DO
NOTHING` of the students who meet it (achievements/criteria), the issuance of its mapped badges
through `badges.services.issuance.badge_issue_for_achievements`, and the achievement's watermark.
Nothing is looped over students and no rows are loaded into Python.

One job per module:

- runs.py: a sweep run, from taking the lock to its SweepRun record, and the order of its work;
- lock.py: only one sweep at a time;
- planning.py: which achievements to evaluate, and from when (their watermarks);
- evaluation.py: one achievement in one transaction, and the watermark that is safe to store;
- pool.py: independent achievements evaluated on several database connections at once;
- students.py: a few named students evaluated right after their completions are recorded.
"""
