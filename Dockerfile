# LureCheck Telegram bot. Not built on the machine it was written on (no Docker engine
# there); see docs/deploy.md.
FROM python:3.11-slim

# Tesseract with the four reply languages, for screenshots. No fonts are needed to read.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-eng tesseract-ocr-kor tesseract-ocr-tha tesseract-ocr-vie \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LURECHECK_DB=/data/lurecheck.sqlite3 \
    LURECHECK_RULES_DIR=/app/rules \
    LURECHECK_LOCALES_DIR=/app/locales

WORKDIR /app
# Dependencies first so that editing rules or code does not reinstall them.
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
RUN pip install . && pip install uvloop
COPY rules ./rules
COPY locales ./locales
COPY seeds/sources.yaml ./seeds/sources.yaml

# Unprivileged user; the database, its WAL, the pseudonym secret (if not given through
# LURECHECK_SECRET) and the heartbeat live on the volume.
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin lurecheck \
    && mkdir -p /data && chown lurecheck /data && chmod 0700 /data
VOLUME ["/data"]
USER lurecheck

# Healthy = the bot touched /data/heartbeat recently, which it does only while its
# Bot API calls succeed (polling) or its event loop runs (webhook).
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-m", "bot.telegram.health"]

# SIGTERM (docker stop) stops polling, answers pending forwards and flushes counts.
STOPSIGNAL SIGTERM
CMD ["lurecheck", "run"]
