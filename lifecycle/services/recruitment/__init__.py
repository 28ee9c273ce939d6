"""Recruitment: vacancies, the expectations they weigh, their recruitment groups, and candidates.

The modules, one responsibility each (callers import from the package):

- `vacancies`: opening a vacancy, its weighed expectations, its group, and its status
- `candidates`: linking a person to a vacancy, and their steps up to the decision
- `queries`: HR's list of vacancies and a vacancy's candidates per step
- `interviews`: scheduling, moving and cancelling a candidate's interviews (with their activity)
- `scorecards`: an interviewer's draft, its submission and its amendments
- `matrix`: candidate × expectation with every interviewer's effective score, and the lowest scored
- `decision`: the hiring manager's decision
"""

from lifecycle.services.recruitment.candidates import add_candidate
from lifecycle.services.recruitment.candidates import add_external_candidate
from lifecycle.services.recruitment.candidates import move_candidate
from lifecycle.services.recruitment.candidates import not_select
from lifecycle.services.recruitment.decision import decision_of
from lifecycle.services.recruitment.decision import record_decision
from lifecycle.services.recruitment.interviews import InterviewValues
from lifecycle.services.recruitment.interviews import cancel_interview
from lifecycle.services.recruitment.interviews import interview_of
from lifecycle.services.recruitment.interviews import interviews_of
from lifecycle.services.recruitment.interviews import panel_choices
from lifecycle.services.recruitment.interviews import reschedule_interview
from lifecycle.services.recruitment.interviews import schedule_interview
from lifecycle.services.recruitment.matrix import Matrix
from lifecycle.services.recruitment.matrix import MatrixOrder
from lifecycle.services.recruitment.matrix import MatrixShown
from lifecycle.services.recruitment.matrix import lowest_scored_expectations
from lifecycle.services.recruitment.matrix import scorecard_matrix
from lifecycle.services.recruitment.queries import StepCursor
from lifecycle.services.recruitment.queries import VacancyFilter
from lifecycle.services.recruitment.queries import VacancyRow
from lifecycle.services.recruitment.queries import candidacy_of
from lifecycle.services.recruitment.queries import candidates_at_step
from lifecycle.services.recruitment.queries import decidable_candidates
from lifecycle.services.recruitment.queries import first_candidates_by_step
from lifecycle.services.recruitment.queries import step_counts
from lifecycle.services.recruitment.queries import vacancies_page
from lifecycle.services.recruitment.queries import vacancy_in_full
from lifecycle.services.recruitment.scorecards import EffectiveScore
from lifecycle.services.recruitment.scorecards import ScoreValue
from lifecycle.services.recruitment.scorecards import amend_scorecard
from lifecycle.services.recruitment.scorecards import effective_scores
from lifecycle.services.recruitment.scorecards import save_draft
from lifecycle.services.recruitment.scorecards import scorecard_of
from lifecycle.services.recruitment.scorecards import scorecards_for
from lifecycle.services.recruitment.scorecards import submit_scorecard
from lifecycle.services.recruitment.vacancies import VacancyError
from lifecycle.services.recruitment.vacancies import VacancyValues
from lifecycle.services.recruitment.vacancies import create_vacancy
from lifecycle.services.recruitment.vacancies import set_recruitment_group
from lifecycle.services.recruitment.vacancies import set_status
from lifecycle.services.recruitment.vacancies import set_weights
from lifecycle.services.recruitment.vacancies import status_moves
from lifecycle.services.recruitment.vacancies import update_vacancy

__all__ = [
    "EffectiveScore",
    "InterviewValues",
    "Matrix",
    "MatrixOrder",
    "MatrixShown",
    "ScoreValue",
    "StepCursor",
    "VacancyError",
    "VacancyFilter",
    "VacancyRow",
    "VacancyValues",
    "add_candidate",
    "add_external_candidate",
    "amend_scorecard",
    "cancel_interview",
    "candidacy_of",
    "candidates_at_step",
    "create_vacancy",
    "decidable_candidates",
    "decision_of",
    "effective_scores",
    "first_candidates_by_step",
    "interview_of",
    "interviews_of",
    "lowest_scored_expectations",
    "move_candidate",
    "not_select",
    "panel_choices",
    "record_decision",
    "reschedule_interview",
    "save_draft",
    "schedule_interview",
    "scorecard_matrix",
    "scorecard_of",
    "scorecards_for",
    "set_recruitment_group",
    "set_status",
    "set_weights",
    "status_moves",
    "step_counts",
    "submit_scorecard",
    "update_vacancy",
    "vacancies_page",
    "vacancy_in_full",
]
