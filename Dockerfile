# The marketplace's image: the app (`market serve`), the arq worker (`market worker`) and the one-shot
# `market migrate` run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MARKET_DATA_DIR=/data

# Fonts with Chinese glyphs, and HarfBuzz/Pango for rendering PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 market \
    && mkdir -p /data \
    && chown market:market /data

WORKDIR /app
COPY . .
RUN pip install . \
    && rm -rf /app/build

USER market
VOLUME ["/data"]
EXPOSE 8000

# The app serves; it does not migrate. Run `market migrate` once per deployment before starting it (compose.yaml's
# one-shot `migrate` service does; the command holds a PostgreSQL advisory lock, so two at once are safe).
CMD ["market", "serve", "--host", "0.0.0.0"]
