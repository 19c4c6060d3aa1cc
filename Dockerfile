# The bot as a container: python run.py (long polling, or a webhook when WEBHOOK_URL is set).
#   docker build -t kraftbot .
#   docker run -d --name kraftbot --restart unless-stopped \
#     --env-file /etc/kraftbot/kraftbot.env -v kraftbot-data:/data \
#     -p 127.0.0.1:8080:8080 kraftbot
# The database lives on the volume /data; the image holds no secrets and no data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/bot.sqlite3 \
    WEB_LISTEN=0.0.0.0 \
    WEB_PORT=8080

# A dedicated user without a login shell; the only place it may write is /data.
RUN groupadd --system --gid 10001 kraftbot \
 && useradd --system --uid 10001 --gid kraftbot --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin kraftbot \
 && mkdir /data && chown kraftbot:kraftbot /data && chmod 0700 /data

# The certificate's fonts for Arabic and for Chinese, Japanese and Korean names (issue 24):
# embedded into each PDF from these packages, never fetched at run time.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-dejavu-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Runtime dependencies only (no [dev] extra: no pytest, hypothesis or ruff in the image).
COPY . .
RUN pip install . && rm -rf build ./*.egg-info

USER kraftbot
VOLUME ["/data"]
# The public program page, calendar feed and /healthz (WEB_PORT); the webhook (WEBHOOK_PORT) only
# in webhook mode. Put a TLS reverse proxy in front of both (docs/OPERATIONS.md).
EXPOSE 8080 8443
# Healthy while the database answers and the bot fetches updates (GET /healthz → 200). With
# WEB_PORT=0 there is no page to ask, so only the running process counts.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('WEB_PORT', '8080'); sys.exit(0 if port == '0' or urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]
# Outside a container the default is loopback; here only the published port reaches it.
ENV WEBHOOK_LISTEN=0.0.0.0
# PTB stops on SIGTERM: no new updates are fetched, running handlers and jobs finish, the
# database is closed. Give it the time: docker stop -t 30.
STOPSIGNAL SIGTERM
CMD ["python", "run.py"]
