from .selectors import user_is_instructor, user_is_org_admin, user_is_student


def navigation(request):
    """What the top bar shows: each role sees only what it may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "is_admin": user_is_org_admin(user=user),
            "is_instructor": user_is_instructor(user=user),
            "is_student": user_is_student(user=user),
            "is_staff": user.is_staff,
        }
    }
