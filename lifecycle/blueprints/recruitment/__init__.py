"""Recruitment: vacancies, the expectations they weigh, their recruitment groups and candidates."""
