"""/statistik, /stats: totals over the series, then per event sign-ups, waitlist,
cancellations, check-ins, questions to the speakers and, once the evening is over, no-shows
and feedback. Evenings under way first, then upcoming ones (soonest first), then those that are
over (latest first), each part under its heading: the domain's :func:`domain.evening.period`
decides (an evening that ended at 21:00 is past at 23:17), paged."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal
from markupsafe import Markup
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import Action, pack, pattern, unpack
from bot.context import BotContext
from bot.paging import Page, page_line, paging_row
from bot.render import MESSAGE_LIMIT, visible_length
from domain.evening import Period, is_over, period
from domain.models import EventStatus
from handlers.ui.editing import reply_or_edit
from handlers.ui.guard import organisers_only
from handlers.ui.reader import renderer
from storage import attendees as attendee_store
from storage import feedback as feedback_store
from storage import offer_rows
from storage import questions as question_store
from storage.attendees import EventFigures
from storage.feedback import FeedbackSummary

PAGE_SIZE = 5


def event_block(
    context: BotContext,
    figures: EventFigures,
    feedback: FeedbackSummary | None = None,
    comment_room: int | None = None,
    questions: int = 0,
    offers: tuple[int, int, int] = (0, 0, 0),
) -> Markup:
    """The figures of one event, with its questions to the speakers and its feedback once
    there are any (the comments that fit in ``comment_room`` visible characters, and how many
    more there are)."""
    now = context.now()
    key = "stats.event_cancelled" if figures.status is EventStatus.CANCELLED else "stats.event"
    lines = [
        context.text(
            key, title=figures.title, when=renderer(context).short_when(figures.starts_at)
        )
    ]
    if figures.capacity == 0 and not figures.confirmed + figures.waitlisted + figures.cancelled:
        lines.append(context.text("stats.no_registration"))
        return Markup("\n").join(lines)
    if figures.capacity is None:
        lines.append(context.text("stats.signups_unlimited", confirmed=figures.confirmed))
    else:
        lines.append(
            context.text("stats.signups", confirmed=figures.confirmed, capacity=figures.capacity)
        )
    lines.append(
        context.text(
            "stats.waitlist_cancelled", waitlisted=figures.waitlisted, cancelled=figures.cancelled
        )
    )
    no_shows = figures.no_shows(now)
    if no_shows is None and figures.was_held(now):  # the door check was not used
        lines.append(context.text("stats.nobody_checked_in"))
    elif no_shows is None:
        lines.append(context.text("stats.checked_in", checked_in=figures.checked_in))
    else:
        lines.append(
            context.text(
                "stats.checked_in_no_shows", checked_in=figures.checked_in, no_shows=no_shows
            )
        )
    if figures.coming or figures.declined:  # nobody answered yet: no line of zeros
        lines.append(
            context.text(
                "stats.attendance",
                coming=figures.coming,
                declined=figures.declined,
                no_answer=figures.no_answer,
            )
        )
    if no_shows is not None and figures.coming:
        lines.append(
            context.text(
                "stats.coming_checked_in",
                coming=figures.coming,
                checked_in=figures.coming_checked_in,
            )
        )
    if questions:
        lines.append(context.text("stats.questions", count=questions))
    if any(offers):  # waitlist offers near the evening (issue 25): standing, passed on, taken
        standing, passed_on, taken = offers
        lines.append(
            context.text("stats.offers", standing=standing, passed_on=passed_on, taken=taken)
        )
    if feedback is not None and feedback.count:
        average = format_decimal(round(feedback.average or 0, 1), locale=context.lang)
        lines.append(context.text("stats.feedback", count=feedback.count, average=average))
        comments = [
            context.text("stats.feedback_comment", comment=comment)
            for comment in feedback.comments
        ]
        shown, used = 0, 0
        for comment in comments:
            used += visible_length(comment) + 1
            if comment_room is not None and used > comment_room:
                break
            shown += 1
        lines.extend(comments[:shown])
        if shown < len(comments):
            lines.append(context.text("stats.more_comments", count=len(comments) - shown))
    return Markup("\n").join(lines)


def totals_block(context: BotContext, every: list[EventFigures]) -> Markup:
    """The whole series at a glance: evenings held, planned, cancelled, and the people."""
    now = context.now()
    cancelled = [f for f in every if f.status is EventStatus.CANCELLED]
    held = [f for f in every if f not in cancelled and is_over(f, now)]
    no_shows = sum(f.no_shows(now) or 0 for f in held)
    return context.text(
        "stats.totals",
        held=len(held),
        planned=len(every) - len(held) - len(cancelled),
        cancelled_events=len(cancelled),
        confirmed=sum(f.confirmed for f in every if f not in cancelled),
        checked_in=sum(f.checked_in for f in held),
        no_shows=no_shows,
    )


SECTION_ORDER = (Period.UNDER_WAY, Period.UPCOMING, Period.OVER)
SECTION_HEADINGS = {
    Period.UNDER_WAY: "stats.under_way",
    Period.UPCOMING: "stats.upcoming",
    Period.OVER: "stats.past",
}


def _period(figures: EventFigures, now: datetime) -> Period:
    return period(figures, now, figures.status is EventStatus.CANCELLED)


def in_sections(every: list[EventFigures], now: datetime) -> list[EventFigures]:
    """Every evening in the order of the sections: under way and upcoming soonest first, then
    those that are over, latest first."""

    def key(figures: EventFigures) -> tuple[int, float, str]:
        section = _period(figures, now)
        moment = figures.starts_at.timestamp()
        return (
            SECTION_ORDER.index(section),
            -moment if section is Period.OVER else moment,
            figures.id,
        )

    return sorted(every, key=key)


async def stats_page(
    context: BotContext, offset: int
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    """One page of the statistics."""
    db, now = context.db, context.now()
    every = await attendee_store.event_figures(db, now, -1)
    total = len(every)
    back = [context.button("admin.back", Action.ADMIN_MENU)]
    if total == 0:
        return context.text("stats.none"), InlineKeyboardMarkup([back])
    window = Page.at(offset, PAGE_SIZE, total)
    page = in_sections(every, now)[window.offset : window.offset + PAGE_SIZE]
    parts = [context.text("stats.heading")]
    if window.offset == 0:
        parts.append(totals_block(context, every))
    feedback = {figures.id: await feedback_store.summary(db, figures.id) for figures in page}
    questions = {f.id: await question_store.count_of_event(db, f.id) for f in page}
    offers = {f.id: await offer_rows.offer_figures(db, f.id) for f in page}
    footer = [line] if (line := page_line(context, window)) is not None else []
    text = Markup("\n\n").join(
        [*parts, *_blocks(context, page, feedback, questions, offers, None), *footer]
    )
    if visible_length(text) > MESSAGE_LIMIT:  # many long comments: each event gets a share
        bare = Markup("\n\n").join(
            [*parts, *_blocks(context, page, feedback, questions, offers, 0), *footer]
        )
        room = (MESSAGE_LIMIT - visible_length(bare)) // len(page)
        text = Markup("\n\n").join(
            [*parts, *_blocks(context, page, feedback, questions, offers, room), *footer]
        )
    paging = paging_row(
        context,
        window,
        lambda at: pack(Action.STATS, at),
        previous_key="stats.previous",
        next_key="stats.next",
    )
    rows = [paging, back] if paging else [back]
    return text, InlineKeyboardMarkup(rows)


def _blocks(
    context: BotContext,
    page: list[EventFigures],
    feedback: dict[str, FeedbackSummary],
    questions: dict[str, int],
    offers: dict[str, tuple[int, int, int]],
    comment_room: int | None,
) -> list[Markup]:
    """The blocks of one page's events, each section (under way, upcoming, over) under its
    heading."""
    now, blocks, section = context.now(), [], None
    for figures in page:
        current = _period(figures, now)
        if current is not section:
            section = current
            blocks.append(context.text(SECTION_HEADINGS[current]))
        blocks.append(
            event_block(
                context,
                figures,
                feedback[figures.id],
                comment_room,
                questions[figures.id],
                offers[figures.id],
            )
        )
    return blocks


@organisers_only
async def show_stats(update: Update, context: BotContext) -> None:
    """/statistik, /stats, the menu button, or ◀ / ▶."""
    offset = 0
    if update.callback_query is not None:
        callback = unpack(update.callback_query.data)
        offset = (callback.int_arg() if callback else None) or 0
        await update.callback_query.answer()
    text, markup = await stats_page(context, offset)
    await reply_or_edit(update, context, text, markup)


def build_handlers() -> list[BaseHandler]:
    """/statistik, /stats and its page buttons."""
    return [
        CommandHandler(["statistik", "stats"], show_stats, filters.ChatType.PRIVATE),
        CallbackQueryHandler(show_stats, pattern(Action.STATS)),
    ]
