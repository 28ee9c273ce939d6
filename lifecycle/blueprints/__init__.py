"""The web layer: one folder a feature, each with views.py, forms.py and templates/."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from lifecycle.blueprints.account.views import bp as account_bp
    from lifecycle.blueprints.activities.views import bp as activities_bp
    from lifecycle.blueprints.api.views import bp as api_bp
    from lifecycle.blueprints.auth.views import bp as auth_bp
    from lifecycle.blueprints.calendar.views import bp as calendar_bp

    # -- effect map ----
    from lifecycle.blueprints.effect_map.views import bp as effect_map_bp
    from lifecycle.blueprints.gdpr.views import bp as gdpr_bp
    from lifecycle.blueprints.imports.views import bp as imports_bp
    from lifecycle.blueprints.insight.views import bp as insight_bp
    from lifecycle.blueprints.introductions.views import bp as introductions_bp
    from lifecycle.blueprints.invitations.views import bp as invitations_bp
    from lifecycle.blueprints.main.views import bp as main_bp
    from lifecycle.blueprints.managers.views import bp as managers_bp

    # -- mentoring --
    from lifecycle.blueprints.mentoring.views import bp as mentoring_bp
    from lifecycle.blueprints.obstacles.views import bp as obstacles_bp

    # -- offboarding ----
    from lifecycle.blueprints.offboarding.views import bp as offboarding_bp
    from lifecycle.blueprints.pipeline.views import bp as pipeline_bp
    from lifecycle.blueprints.plans.views import bp as plans_bp
    from lifecycle.blueprints.platform.views import bp as platform_bp
    from lifecycle.blueprints.recruitment.materials import bp as materials_bp
    from lifecycle.blueprints.recruitment.views import bp as recruitment_bp
    from lifecycle.blueprints.reminders.views import bp as reminders_bp
    from lifecycle.blueprints.system.views import bp as system_bp
    from lifecycle.blueprints.talent_pool.views import bp as talent_pool_bp

    # -- workshops ----
    from lifecycle.blueprints.workshops.views import bp as workshops_bp

    for blueprint in (
        system_bp,
        auth_bp,
        main_bp,
        account_bp,
        calendar_bp,
        platform_bp,
        managers_bp,
        gdpr_bp,
        pipeline_bp,
        plans_bp,
        insight_bp,
        introductions_bp,
        recruitment_bp,
        talent_pool_bp,
        obstacles_bp,
        materials_bp,
        invitations_bp,
        reminders_bp,
        activities_bp,
        imports_bp,
        api_bp,
        # -- mentoring --
        mentoring_bp,
        # -- workshops ----
        workshops_bp,
        # -- offboarding ----
        offboarding_bp,
        # -- effect map ----
        effect_map_bp,
    ):
        app.register_blueprint(blueprint)
