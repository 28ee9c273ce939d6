"""The talent pool (attract): members with their source, strengths and consent, and its retention.

The modules, one responsibility each (callers import from the package):

- `members`: adding a person, their profile and consent, moving them into a recruitment, removing them
- `queries`: HR's filtered list of members, one member, and what their page shows
- `retention`: removing members whose consent has run out (`TALENT_POOL_RETENTION_DAYS`, nightly)
"""

from lifecycle.services.talent_pool.members import PoolError
from lifecycle.services.talent_pool.members import ProfileValues
from lifecycle.services.talent_pool.members import add_new_person_to_pool
from lifecycle.services.talent_pool.members import add_to_pool
from lifecycle.services.talent_pool.members import consent_until
from lifecycle.services.talent_pool.members import move_into_recruitment
from lifecycle.services.talent_pool.members import pool_retention_period
from lifecycle.services.talent_pool.members import profile_of
from lifecycle.services.talent_pool.members import remove_from_pool
from lifecycle.services.talent_pool.members import renew_consent
from lifecycle.services.talent_pool.members import update_profile
from lifecycle.services.talent_pool.queries import PoolFilter
from lifecycle.services.talent_pool.queries import candidacies_of
from lifecycle.services.talent_pool.queries import live_candidacies
from lifecycle.services.talent_pool.queries import pool_after
from lifecycle.services.talent_pool.queries import pool_members_among
from lifecycle.services.talent_pool.queries import pool_page
from lifecycle.services.talent_pool.queries import profile_in_full
from lifecycle.services.talent_pool.queries import receiving_vacancies
from lifecycle.services.talent_pool.queries import recent_activities
from lifecycle.services.talent_pool.retention import PoolRetention
from lifecycle.services.talent_pool.retention import apply_pool_retention
from lifecycle.services.talent_pool.retention import expired_profiles

__all__ = [
    "PoolError",
    "PoolFilter",
    "PoolRetention",
    "ProfileValues",
    "add_new_person_to_pool",
    "add_to_pool",
    "apply_pool_retention",
    "candidacies_of",
    "consent_until",
    "expired_profiles",
    "live_candidacies",
    "move_into_recruitment",
    "pool_after",
    "pool_members_among",
    "pool_page",
    "pool_retention_period",
    "profile_in_full",
    "profile_of",
    "receiving_vacancies",
    "recent_activities",
    "remove_from_pool",
    "renew_consent",
    "update_profile",
]
