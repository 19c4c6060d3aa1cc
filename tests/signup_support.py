"""Helpers of the sign-up tests (and of other tests that need someone signed up): a returning
user, an event's card, the registration rows and the last pop-up."""

from __future__ import annotations

from storage import users as user_store
from tests.conftest import NOW

BOT_USERNAME = "KraftDerRegionBot"


async def returning_user(bot, user_id, name="Erika Muster", language_code="de"):
    """A user who signed up before: name and consent are stored."""
    db = bot.data.db
    lang = "en" if language_code.startswith("en") else "de"
    await user_store.ensure_user(db, user_id, lang, NOW)
    await user_store.set_display_name(db, user_id, name)
    await user_store.give_consent(db, user_id, NOW)
    return bot.user(user_id, first_name=name.split()[0], language_code=language_code)


async def signed_up(bot, user_id, event_id="umbau-2026", name="Erika Muster", lang="de"):
    """A returning user who pressed "Anmelden" (or "Sign up") on the event's card, or "Auf die
    Warteliste" ("Join the waitlist") when it is full."""
    user = await returning_user(bot, user_id, name, lang)
    [card] = await user.send(f"/start ev_{event_id}")
    labels = ("Sign up", "Join the waitlist") if lang == "en" else ("Anmelden", "Warteliste")
    [label] = [label for label in labels if any(label in b for b in card.button_labels)]
    await user.press(label, card)
    return user


async def open_card(user, event_id="umbau-2026"):
    """The event's card, opened through its deep link."""
    [card] = await user.send(f"/start ev_{event_id}")
    return card


async def registrations(bot, event_id="umbau-2026"):
    """The event's registration rows, oldest first."""
    return await bot.data.db.fetch_all(
        "SELECT id, user_id, name, status, ticket FROM registrations WHERE event_id = ?"
        " ORDER BY id",
        (event_id,),
    )


def last_answer(bot):
    """The latest pop-up (callback answer) the bot gave."""
    return bot.api.callback_answers[-1]
