"""A shop that changed nothing gets the program's defaults, each written once in program/."""

from plugin.models import Shop
from plugin.program.benefits.returns import RETURN_WINDOW_DAYS
from plugin.program.benefits.tradein import SHIP_WITHIN_DAYS
from plugin.program.referrals import DEFAULT_MONTHLY_CAP
from plugin.shops.settings import DEFAULTS, program_settings


def test_an_untouched_shop_gets_the_defaults():
    assert program_settings(Shop(settings={})) == DEFAULTS
    assert program_settings(Shop(settings=None)) == DEFAULTS


def test_the_defaults_are_the_programs():
    assert (
        DEFAULTS.referral_monthly_cap,
        DEFAULTS.return_window_days,
        DEFAULTS.trade_in_ship_within_days,
    ) == (DEFAULT_MONTHLY_CAP, RETURN_WINDOW_DAYS, SHIP_WITHIN_DAYS)
    assert (DEFAULT_MONTHLY_CAP, RETURN_WINDOW_DAYS, SHIP_WITHIN_DAYS) == (20, 30, 30)


def test_a_shops_own_value_wins():
    shop = Shop(settings={"referral_monthly_cap": 5, "return_window_days": 14})
    settings = program_settings(shop)
    assert (settings.referral_monthly_cap, settings.return_window_days) == (5, 14)
