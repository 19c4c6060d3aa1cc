# The bot as a container: python run.py (long polling, or a webhook when WEBHOOK_URL is set).
#   docker build -t kraftbot .
#   docker run -d --name kraftbot --restart unless-stopped \
#     --env-file /etc/kraftbot/kraftbot.env -v kraftbot-data:/data kraftbot
# The database lives on the volume /data; the image holds no secrets and no data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/bot.sqlite3

# A dedicated user without a login shell; the only place it may write is /data.
RUN groupadd --system --gid 10001 kraftbot \
 && useradd --system --uid 10001 --gid kraftbot --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin kraftbot \
 && mkdir /data && chown kraftbot:kraftbot /data && chmod 0700 /data

WORKDIR /app
# Runtime dependencies only (no [dev] extra: no pytest, hypothesis or ruff in the image).
COPY . .
RUN pip install . && rm -rf build ./*.egg-info

USER kraftbot
VOLUME ["/data"]
# Only used in webhook mode (WEBHOOK_PORT); put a TLS reverse proxy in front of it.
EXPOSE 8443
# Outside a container the default is loopback; here only the published port reaches it.
ENV WEBHOOK_LISTEN=0.0.0.0
# PTB stops on SIGTERM: no new updates are fetched, running handlers and jobs finish, the
# database is closed. Give it the time: docker stop -t 30.
STOPSIGNAL SIGTERM
CMD ["python", "run.py"]
