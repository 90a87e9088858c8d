"""The organization's badges and achievements (scope issuances:read)."""

from ninja import Query, Router

from achievements.selectors import achievements_for_user
from badges.selectors import badges_for_user
from credentials.documents import badge_class_url

from ..auth import ApiToken
from ..pagination import page_by_id
from ..schemas import PROBLEMS, AchievementPage, BadgePage, PageQuery
from ..services import client_actor

router = Router(tags=["Catalog"])


@router.get(
    "/badges",
    auth=ApiToken("issuances:read"),
    response={200: BadgePage, **PROBLEMS},
    summary="List the organization's badges",
)
def badges_list(request, page: Query[PageQuery]):
    """The badges of the client's organization, archived ones too, in id order."""
    actor = client_actor(request.auth)
    badges = badges_for_user(user=actor).filter(organization_id=request.auth.organization_id)
    rows, following = page_by_id(badges, cursor=page.cursor, limit=page.limit)
    return {
        "items": [
            {
                "id": badge.pk,
                "name": badge.name,
                "description": badge.description,
                "is_active": badge.is_active,
                "manual_issuance_enabled": badge.manual_issuance_enabled,
                "achievement_id": badge.achievement_id,
                "expiry": badge.expiry,
                "badge_class_url": badge_class_url(badge.pk),
                "created_at": badge.created_at,
                "updated_at": badge.updated_at,
            }
            for badge in rows
        ],
        "next_cursor": following,
    }


@router.get(
    "/achievements",
    auth=ApiToken("issuances:read"),
    response={200: AchievementPage, **PROBLEMS},
    summary="List the organization's achievements",
)
def achievements_list(request, page: Query[PageQuery]):
    """The achievements of the client's organization, in id order."""
    actor = client_actor(request.auth)
    achievements = achievements_for_user(user=actor).filter(
        organization_id=request.auth.organization_id
    )
    rows, following = page_by_id(achievements, cursor=page.cursor, limit=page.limit)
    return {
        "items": [
            {
                "id": achievement.pk,
                "name": achievement.name,
                "description": achievement.description,
                "is_enabled": achievement.is_enabled,
                "criteria_type": achievement.criteria_type,
            }
            for achievement in rows
        ],
        "next_cursor": following,
    }
