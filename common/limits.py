"""How much one request may ask for. Every page that takes a list of ids refuses a longer one
with a message naming the maximum, before any work is done, so that the work a request causes
grows with what in it is valid and never faster (SPEC, "What bad input gets")."""

# Issue Badges: the size benchmarked in docs/performance.md (20 badges x 1,000 students, about
# 1 s on PostgreSQL). The Django admin's issuance takes the same number of recipients.
BATCH_MAX_BADGES = 20
BATCH_MAX_STUDENTS = 1_000
# Mark complete on a roster: as many students as one batch.
COMPLETE_MAX_STUDENTS = BATCH_MAX_STUDENTS
# An achievement's "every course of a set".
COURSE_SET_MAX_COURSES = 100
