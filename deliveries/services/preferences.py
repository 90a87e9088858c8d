"""A student's own choice about award e-mails."""

from accounts.models import User


def student_set_award_emails(*, student: User, receive: bool) -> None:
    """ "E-mail me when I receive a badge", on or off. Deliveries not sent yet honour it too: the
    e-mail channel checks it again when sending."""
    User.objects.filter(pk=student.pk).update(receives_award_emails=receive)
    student.receives_award_emails = receive
