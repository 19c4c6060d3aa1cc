"""Builds the one ``Application``: defaults, context types, rate limiter, handlers, services.

Production (``python run.py``), the console, the tests and the benchmark all call
:func:`build_application`; they differ only in the request object (real HTTP or the fake Bot
API) and the clock.
"""

from __future__ import annotations

import logging
import sys
from functools import partial

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    ContextTypes,
    ConversationHandler,
    Defaults,
)
from telegram.request import BaseRequest

from bot import commands
from bot.clock import Clock
from bot.context import BotContext, BotData, OutboxKindEntry, OutboxKinds, UserData
from bot.fairness import FairUpdateProcessor
from bot.i18n import Translator
from bot.jobs import start_planners
from bot.persistence import DialoguePersistence
from bot.sending import sender
from bot.sending.budget import TelegramBudget
from bot.sending.delivery import (
    NEVER_TWICE,
    NEVER_TWICE_WITHIN_WINDOW,
    RATHER_TWICE,
    WITHIN_WINDOW,
    render_delivery_report,
)
from bot.settings import Settings
from bot.state import AlertThrottle, ProgressTracker
from handlers import dialogues, errors, flood, users
from handlers.attendee import (
    attendance,
    browsing,
    cancellation,
    feedback,
    mine,
    name,
    privacy,
    questions,
    seat_offer,
    sharing,
    signup,
    start,
    subscription,
    tickets,
)
from handlers.door import checkin
from handlers.notices import certificates, notifications, offers, reminders
from handlers.organiser import (
    admin,
    attendees,
    broadcast,
    event_editor,
    event_lifecycle,
    question_review,
    stats,
)
from storage.outbox import OutboxKind

log = logging.getLogger(__name__)

OFFLINE_TOKEN = "0:offline"  # console and tests: the fake API accepts any token

# Handler groups. Order matters: the user middleware (group -1) must run before any feature so
# that the language is known. Within group 0 PTB runs only the first matching handler, so the
# features come in the order listed and the catch-all fallbacks last: they see only what no
# feature handled. (A separate group would run them in addition, not instead.)
GROUP_MIDDLEWARE = -1
GROUP_FEATURES = 0
# /start ends any dialogue the person is in before it is answered (in group 0, before every
# dialogue), so that what they type next is not taken as the answer to a left-behind question.
GROUP_START_AFRESH = -2


def register_handlers(application: Application) -> None:
    """The one place where every feature's handlers are registered, in order."""
    application.add_handlers(dialogues.build_handlers(), group=GROUP_START_AFRESH)
    application.add_handlers(users.build_handlers(), group=GROUP_MIDDLEWARE)
    application.add_handlers(
        [
            # A scanned ticket (/start ci_…) is a check-in, not a welcome: before /start.
            *checkin.build_deep_link_handlers(),
            *start.build_handlers(),
            *browsing.build_handlers(),
            *mine.build_handlers(),
            *cancellation.build_handlers(),
            *attendance.build_handlers(),
            *seat_offer.build_handlers(),
            *feedback.build_handlers(),
            *questions.build_handlers(),
            *certificates.build_handlers(),
            *tickets.build_handlers(),
            *subscription.build_handlers(),
            *privacy.build_handlers(),
            *name.build_handlers(),
            *sharing.build_handlers(),
            # Organiser tools; each handler re-checks ADMIN_IDS. The guard comes last of them:
            # it refuses organiser buttons no handler claimed (forged, stale, non-organisers).
            _organiser_dialogues(),
            *admin.build_handlers(),
            *event_lifecycle.build_handlers(),
            *attendees.build_handlers(),
            *checkin.build_handlers(),
            *stats.build_handlers(),
            *question_review.build_handlers(),
            *admin.build_guard(),
            # The sign-up dialogue comes after every other feature: while it waits for a typed
            # name, their commands still work; then /abbrechen for when no dialogue claimed it.
            *signup.build_handlers(),
            *signup.build_cancel_fallback(),
            *start.build_fallbacks(),
        ],
        group=GROUP_FEATURES,
    )
    application.add_error_handler(errors.handle_error)


def outbox_kinds() -> OutboxKinds:
    """The one table of what the paced sender sends on its own: per outbox kind, the renderer
    (per recipient, in their language) and the delivery policy (bot.sending.delivery)."""
    return {
        OutboxKind.EVENT_CHANGED: OutboxKindEntry(
            notifications.render_event_changed, RATHER_TWICE
        ),
        OutboxKind.EVENT_CANCELLED: OutboxKindEntry(
            notifications.render_event_cancelled, RATHER_TWICE
        ),
        OutboxKind.EVENT_REINSTATED: OutboxKindEntry(
            notifications.render_event_reinstated, RATHER_TWICE
        ),
        OutboxKind.PROMOTED: OutboxKindEntry(notifications.render_promoted, RATHER_TWICE),
        OutboxKind.REMINDER: OutboxKindEntry(reminders.render_reminder, NEVER_TWICE),
        OutboxKind.ANNOUNCEMENT: OutboxKindEntry(subscription.render_announcement, NEVER_TWICE),
        OutboxKind.BROADCAST: OutboxKindEntry(
            broadcast.render_broadcast, NEVER_TWICE_WITHIN_WINDOW
        ),
        OutboxKind.DELIVERY_REPORT: OutboxKindEntry(render_delivery_report, WITHIN_WINDOW),
        OutboxKind.FEEDBACK: OutboxKindEntry(feedback.render_feedback, RATHER_TWICE),
        OutboxKind.CERTIFICATE: OutboxKindEntry(certificates.render_certificate, RATHER_TWICE),
        OutboxKind.CERTIFICATE_NOBODY: OutboxKindEntry(
            certificates.render_nobody_checked_in, RATHER_TWICE
        ),
        OutboxKind.CERTIFICATE_NAME: OutboxKindEntry(
            certificates.render_name_request, RATHER_TWICE
        ),
        OutboxKind.SEAT_OFFER: OutboxKindEntry(
            offers.render_offer, RATHER_TWICE, sent=offers.remember_offer_message
        ),
    }


# The scheduled planners: each queues what the database says is due, at start-up and then
# every few seconds (bot.jobs.Planner).
PLANNERS = (reminders.PLANNER, feedback.PLANNER, certificates.PLANNER, offers.PLANNER)


def _organiser_dialogues() -> ConversationHandler:
    """Event editor and broadcast in one conversation: one organiser dialogue at a time."""
    editor_entries, editor_states = event_editor.dialogue_parts()
    broadcast_entries, broadcast_states = broadcast.dialogue_parts()
    checkin_entries, checkin_states = checkin.dialogue_parts()
    return admin.build_dialogues(
        [*editor_entries, *broadcast_entries, *checkin_entries],
        {**editor_states, **broadcast_states, **checkin_states},
    )


# Every write (and every big read) is handed to a database thread and back. A thread waiting
# for the GIL gets it only when the busy loop thread gives it up: after the switch interval
# (5 ms by default). At 1 ms a sign-up's hand-over waits a fifth as long; measured with
# `python -m bench` side by side on a quiet machine: throughput ratio 0.80 -> 0.91.
SWITCH_INTERVAL = 0.001  # seconds


async def post_init(application: Application) -> None:
    """Open and migrate the database (if the persistence has not already), then tell
    Telegram the command menus."""
    data: BotData = application.bot_data
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
    await data.open_database()
    try:
        await commands.set_default_commands(
            application.bot, data.translator, data.settings.default_language
        )
        await commands.sync_organiser_menus(
            application.bot,
            data.translator,
            data.db,
            data.settings.admin_ids,
            data.settings.default_language,
            data.clock.now(),
            data.settings.door_ids,
        )
    except TelegramError as exc:
        log.warning("Command menus not set: %s", exc)
    # Settle outbox rows a crash left in flight (by kind: sent again or closed), start the
    # sender, then catch up on reminders (feedback, certificates) that fell due while down.
    await sender.start_sender(application)
    await start_planners(application, PLANNERS)
    broadcast.start_progress(application)
    privacy.schedule_retention(application)
    tickets.protect_logs()


async def post_shutdown(application: Application) -> None:
    """Close the database."""
    data: BotData = application.bot_data
    if data.database_open:
        await data.db.close()


def production_rate_limiter(settings: Settings) -> TelegramBudget:
    """Telegram's flood limits for everything the bot sends, as one shared budget:
    ``TELEGRAM_RATE`` messages a second overall (30; more only with paid broadcasts), 20 a
    minute per group; answers to people first, bulk sending (paced at ``BROADCAST_RATE`` by
    bot.sending.sender) takes what is left, so no ``BROADCAST_RATE`` can push the bot over
    Telegram's limit; a 429 pauses bulk only, answers retry it twice (bot.sending.budget)."""
    return TelegramBudget(limit=settings.telegram_rate, max_retries=2)


# How many updates are handled at once, and HTTP connections to the Bot API to match. Little's
# law: in-flight requests = rate x round trip. Telegram lets the bot send ~30 messages a second;
# a round trip to api.telegram.org takes 50-300 ms; an update makes ~2 calls one after the other.
# So ~15 updates a second x 2 calls x 0.3 s = ~9 requests in flight at worst; 16 leaves room for
# bursts. Unbounded (PTB's True = 256) only grows the pool to dozens of connections, which
# httpcore checks one by one on every request (profiled: 29 % of the bot's CPU). The pool has a
# few more connections than concurrent updates for the outbox sender and jobs, so no update
# waits for a free connection (a pool smaller than the concurrency measured worse).
CONCURRENT_UPDATES = 16
CONNECTION_POOL_SIZE = CONCURRENT_UPDATES + 4


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    translator: Translator | None = None,
    rate_limiter: BaseRateLimiter | None = None,
    polls: bool = True,
) -> Application:
    """The bot, ready for ``initialize()``; nothing touches the network or disk before that.

    ``polls=False`` (webhook mode) builds no PTB ``Updater``: updates then arrive through the
    bot's own endpoint (bot.web.webhook) straight into ``update_queue``."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else OFFLINE_TOKEN
    persistence = DialoguePersistence()  # open dialogues survive a restart (bot.persistence)
    # Round the people, each person's updates in order, a flood from one account dropped.
    processor = FairUpdateProcessor(CONCURRENT_UPDATES)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.bot_api_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.tz,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(ContextTypes(context=BotContext, bot_data=BotData, user_data=UserData))
        .rate_limiter(rate_limiter or production_rate_limiter(settings))
        .concurrent_updates(processor)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .persistence(persistence)
    )
    if not polls:
        builder = builder.updater(None)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.connection_pool_size(CONNECTION_POOL_SIZE)
    application = builder.build()
    data: BotData = application.bot_data
    data.configure(
        settings,
        clock or Clock(),
        translator or Translator.load(),
        outbox_kinds=outbox_kinds(),
        on_blocked=partial(users.forget_user, application),
        wake_sender=partial(sender.wake_sender, application),  # the database's after-commit hook
        error_alerts=AlertThrottle(),
        broadcast_progress=ProgressTracker(),
    )
    persistence.attach(data)
    register_handlers(application)
    processor.on_dropped(partial(flood.slow_down, application))
    return application


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
