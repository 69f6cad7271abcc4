"""The command menus Telegram shows, per language and per chat type.

Telegram picks the menu by the user's app language (``language_code``) and by scope, so
we register: private chats × {default (English), ko, en, th, vi} and group chats × the
same. Private chats get the personal commands; groups get only what makes sense there
(admin-only /reload and /stats are deliberately absent from every menu).

These are short UI labels owned by the bot layer; the longer texts live in locales/.
"""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

PRIVATE_COMMANDS: tuple[str, ...] = ("start", "help", "language", "privacy", "forget", "about")
GROUP_COMMANDS: tuple[str, ...] = ("check", "guard", "help")

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "en": {
        "start": "Start: check a job offer",
        "help": "How to use LureCheck",
        "language": "Change the reply language",
        "privacy": "What is stored and what is not",
        "forget": "Delete what is kept about me",
        "about": "Sources and how to contribute",
        "check": "Reply to a message with /check to check it",
        "guard": "Admins: /guard on or /guard off",
    },
    "ko": {
        "start": "시작: 구인 제안 확인하기",
        "help": "LureCheck 사용 방법",
        "language": "답변 언어 바꾸기",
        "privacy": "저장하는 것과 저장하지 않는 것",
        "forget": "나에 대해 저장된 정보 삭제",
        "about": "출처와 기여 방법",
        "check": "메시지에 /check 로 답장하면 확인합니다",
        "guard": "관리자: /guard on 또는 /guard off",
    },
    "th": {
        "start": "เริ่ม: ตรวจสอบข้อเสนองาน",
        "help": "วิธีใช้ LureCheck",
        "language": "เปลี่ยนภาษาที่ใช้ตอบ",
        "privacy": "สิ่งที่เก็บและไม่เก็บ",
        "forget": "ลบข้อมูลที่เก็บไว้เกี่ยวกับฉัน",
        "about": "แหล่งข้อมูลและวิธีร่วมพัฒนา",
        "check": "ตอบกลับข้อความด้วย /check เพื่อตรวจสอบ",
        "guard": "ผู้ดูแล: /guard on หรือ /guard off",
    },
    "vi": {
        "start": "Bắt đầu: kiểm tra lời mời việc làm",
        "help": "Cách dùng LureCheck",
        "language": "Đổi ngôn ngữ trả lời",
        "privacy": "Những gì được lưu và không được lưu",
        "forget": "Xóa những gì được lưu về tôi",
        "about": "Nguồn và cách đóng góp",
        "check": "Trả lời một tin nhắn bằng /check để kiểm tra",
        "guard": "Quản trị viên: /guard on hoặc /guard off",
    },
}


def menu(lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    table = DESCRIPTIONS[lang]
    return [BotCommand(name, table[name]) for name in names]


async def register_menus(bot: Bot) -> None:
    """Set every (scope, language) menu; the default (no language) menu is English."""
    scopes = (
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
    )
    for scope, names in scopes:
        await bot.set_my_commands(menu("en", names), scope=scope)
        for lang in DESCRIPTIONS:
            await bot.set_my_commands(menu(lang, names), scope=scope, language_code=lang)
