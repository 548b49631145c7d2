"""Program settings, the reward catalogue and campaigns of the shop.

Every change is validated by its service, audited, and applies to new events only.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from plugin import clock
from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home, page_url
from plugin.admin.i18n import _
from plugin.admin.pages import (
    ask_to_confirm,
    confirmed,
    redirect_to,
    render,
    require,
)
from plugin.points import campaign_admin
from plugin.program.categories import CATEGORIES
from plugin.rewards import catalogue
from plugin.shops import settings_admin
from plugin.shops.settings import program_settings

# --- settings ------------------------------------------------------------------------------


def _settings_page(
    status: int = 200,
    section: str | None = None,
    errors: dict[str, str] | None = None,
    cohort_preview: list[Any] | None = None,
) -> Response:
    shop = admin().shop
    values = settings_admin.form_values(shop)
    if section and request.method == "POST":  # show what the merchant typed next to the errors
        values.update({k: v for k, v in request.form.items() if k not in ("id_token", "section")})
    return render(
        "admin/settings.html",
        status=status,
        title="Program settings",
        values=values,
        errors=errors or {},
        failed_section=section,
        categories=CATEGORIES,
        settings=program_settings(shop),
        cohort_preview=cohort_preview,
    )


@bp.get("/settings")
@app_home
def settings() -> Response:
    return _settings_page()


@bp.post("/settings")
@app_home
def settings_save() -> Response:
    ctx = admin()
    section = request.form.get("section", "")
    if section not in settings_admin.SECTIONS:
        return _settings_page(400, section, {"section": "Unknown settings section."})
    before = dict(ctx.shop.settings or {})
    try:
        if section == "cohorts" and request.form.get("confirm") != "1":
            # Before saving: how many members each moved cutoff would have moved (none moves).
            changes = settings_admin.cohort_changes(ctx.shop, request.form)
            if changes:
                return _settings_page(200, section, cohort_preview=changes)
        settings_admin.update_settings(ctx.shop, section, request.form, actor=ctx.actor)
    except settings_admin.SettingsInvalid as exc:
        return _settings_page(422, section, exc.errors)
    return redirect_to(
        "admin.settings", "saved" if (ctx.shop.settings or {}) != before else "unchanged"
    )


# --- rewards -------------------------------------------------------------------------------


def _rewards_page(
    status: int = 200, error: str | None = None, errors: dict[str, str] | None = None
) -> Response:
    rewards = catalogue.list_rewards(admin().shop, include_archived=True)
    return render(
        "admin/rewards.html",
        status=status,
        title="Reward catalogue",
        rewards=rewards,
        editable=True,
        error=error,
        errors=errors or {},
    )


def _reward_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("title", "points", "kind", "amount", "percentage", "position"):
        if name in request.form:
            value: str | None = request.form.get(name, "").strip()
            if name in ("amount", "percentage", "position") and value == "":
                value = None
            fields[name] = value
    return fields


@bp.get("/rewards")
@app_home
def rewards() -> Response:
    return _rewards_page()


@bp.post("/rewards")
@app_home
def reward_create() -> Response:
    ctx = admin()
    create = catalogue.create_reward
    try:
        create(ctx.shop, ctx.actor, **_reward_fields())
    except ValueError as exc:
        return _rewards_page(422, str(exc), {getattr(exc, "field", None) or "form": str(exc)})
    return redirect_to("admin.rewards", "created")


@bp.post("/rewards/<int:reward_id>")
@app_home
def reward_update(reward_id: int) -> Response:
    ctx = admin()
    action = request.form.get("action", "update")
    try:
        if action == "archive" and not confirmed():
            reward = catalogue.get_reward(ctx.shop, reward_id)
            if reward.active:
                return ask_to_confirm(
                    _("Archive {title}?", title=reward.title),
                    [
                        _(
                            "The reward leaves the storefront: members can no longer redeem points "
                            "for it."
                        ),
                        _("Codes already issued for it stay valid."),
                    ],
                    _("Archive"),
                    back=page_url("admin.rewards"),
                    tone="warning",
                )
        if action == "archive":
            catalogue.archive_reward(ctx.shop, reward_id, ctx.actor)
            return redirect_to("admin.rewards", "archived")
        fields = _reward_fields()
        if action == "restore":
            fields = {"active": True}
        catalogue.update_reward(ctx.shop, reward_id, ctx.actor, **fields)
    except LookupError:
        return _rewards_page(404, "No such reward in this store.")
    except ValueError as exc:
        return _rewards_page(422, str(exc))
    return redirect_to("admin.rewards", "saved")


# --- campaigns -----------------------------------------------------------------------------


def campaign_end_consequences(campaign: Any, currency: str) -> list[str]:
    if campaign.starts_at > clock.now():
        return [_("The campaign has not started: it is deleted and never runs.")]
    offers = {
        "points_multiplier": _("Orders placed from now on no longer earn the extra points."),
        "member_discount": _("Members no longer get the campaign's discount from now on."),
        "gift": _("Orders placed from now on no longer get the gift."),
    }
    return [
        _("The campaign ends now instead of at its planned end."),
        offers.get(campaign.kind, _("Its offer stops from now on.")),
        _("Orders placed while it ran keep what they earned."),
    ]


def _campaigns_page(
    status: int = 200, error: str | None = None, errors: dict[str, str] | None = None
) -> Response:
    return render(
        "admin/campaigns.html",
        status=status,
        title="Campaigns",
        campaigns=campaign_admin.list_campaigns(admin().shop.id),
        kinds=campaign_admin.KINDS,
        now=clock.now(),
        zone=clock.shop_zone(admin().shop).key,
        error=error,
        errors=errors or {},
        form=request.form if request.method == "POST" else {},
    )


@bp.get("/campaigns")
@app_home
def campaigns() -> Response:
    return _campaigns_page()


@bp.post("/campaigns")
@app_home
def campaign_create() -> Response:
    ctx = admin()
    try:
        campaign_admin.create_campaign(ctx.shop, request.form, actor=ctx.actor)
    except campaign_admin.CampaignInvalid as exc:
        errors = dict(exc.errors)
        if "gift_product_id" in errors:  # the merchant picks the product; its id is never typed
            errors["gift_product_id"] = (
                "Choose the gift product with Shopify's product picker (in the Shopify admin)."
            )
        return _campaigns_page(422, "The campaign was not saved.", errors)
    return redirect_to("admin.campaigns", "created")


@bp.post("/campaigns/<int:campaign_id>")
@app_home
def campaign_update(campaign_id: int) -> Response:
    ctx = admin()
    campaign = require(campaign_admin.get_campaign(ctx.shop.id, campaign_id))
    try:
        if request.form.get("action") == "end" and not confirmed():
            return ask_to_confirm(
                _("End {title} now?", title=campaign.title)
                if campaign.starts_at <= clock.now()
                else _("Delete {title}?", title=campaign.title),
                campaign_end_consequences(campaign, ctx.shop.currency),
                _("End now") if campaign.starts_at <= clock.now() else _("Delete"),
                back=page_url("admin.campaigns"),
            )
        if request.form.get("action") == "end":
            done = campaign_admin.end_or_delete_campaign(ctx.shop, campaign, actor=ctx.actor)
            return redirect_to("admin.campaigns", done)
        campaign_admin.update_campaign(ctx.shop, campaign, request.form, actor=ctx.actor)
    except campaign_admin.CampaignInvalid as exc:
        return _campaigns_page(422, "; ".join(exc.errors.values()), exc.errors)
    return redirect_to("admin.campaigns", "saved")
