"""Recruitment: vacancies, the expectations they weigh, their recruitment groups, and candidates.

The modules, one responsibility each (callers import from the package):

- `vacancies`: opening a vacancy, its weighed expectations, its group, and its status
- `candidates`: linking a person to a vacancy, and their steps up to the decision
- `queries`: HR's list of vacancies and a vacancy's candidates per step
"""

from lifecycle.services.recruitment.candidates import add_candidate
from lifecycle.services.recruitment.candidates import add_external_candidate
from lifecycle.services.recruitment.candidates import move_candidate
from lifecycle.services.recruitment.candidates import not_select
from lifecycle.services.recruitment.queries import VacancyFilter
from lifecycle.services.recruitment.queries import VacancyRow
from lifecycle.services.recruitment.queries import candidacy_of
from lifecycle.services.recruitment.queries import candidates_by_step
from lifecycle.services.recruitment.queries import vacancies_page
from lifecycle.services.recruitment.queries import vacancy_in_full
from lifecycle.services.recruitment.vacancies import VacancyError
from lifecycle.services.recruitment.vacancies import VacancyValues
from lifecycle.services.recruitment.vacancies import create_vacancy
from lifecycle.services.recruitment.vacancies import set_recruitment_group
from lifecycle.services.recruitment.vacancies import set_status
from lifecycle.services.recruitment.vacancies import set_weights
from lifecycle.services.recruitment.vacancies import status_moves
from lifecycle.services.recruitment.vacancies import update_vacancy

__all__ = [
    "VacancyError",
    "VacancyFilter",
    "VacancyRow",
    "VacancyValues",
    "add_candidate",
    "add_external_candidate",
    "candidacy_of",
    "candidates_by_step",
    "create_vacancy",
    "move_candidate",
    "not_select",
    "set_recruitment_group",
    "set_status",
    "set_weights",
    "status_moves",
    "update_vacancy",
    "vacancies_page",
    "vacancy_in_full",
]
