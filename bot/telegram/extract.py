"""What text of a Telegram message gets checked.

Lures hide their real destination: a friendly word whose link (a ``text_link`` entity)
points to a WhatsApp number or a t.me recruiter, or an "Apply now" URL button under a
forwarded channel post. Neither is part of ``message.text``, so both are appended to the
visible text before the engine sees it. Nothing here is logged or stored.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, MessageEntity

KIND_TEXT = "text"
KIND_FORWARD = "forward"
KIND_PHOTO = "photo"
KIND_GROUP = "group"


def hidden_links(message: Message) -> list[str]:
    """URLs behind text_link entities and URL buttons, in order, without duplicates."""
    urls: list[str] = []
    entities = message.entities or message.caption_entities or ()
    for entity in entities:
        if entity.type == MessageEntity.TEXT_LINK and entity.url:
            urls.append(entity.url)
    markup = message.reply_markup
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                if button.url:
                    urls.append(button.url)
    return list(dict.fromkeys(urls))


def message_text(message: Message) -> str:
    """Visible text or caption plus hidden links, one per line."""
    visible = message.text or message.caption or ""
    extra = [url for url in hidden_links(message) if url not in visible]
    return "\n".join([visible, *extra]) if extra else visible


def input_kind(message: Message) -> str:
    return KIND_FORWARD if message.forward_origin is not None else KIND_TEXT
