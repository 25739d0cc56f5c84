FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY cms ./cms
COPY blog ./blog
COPY sessions ./sessions
COPY demo ./demo
RUN pip install --no-cache-dir .
COPY . .

RUN useradd --create-home --uid 1000 app && mkdir -p /app/media /app/staticfiles \
    && chown -R app /app/media /app/staticfiles
USER app

EXPOSE 8000
CMD ["gunicorn", "cms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
