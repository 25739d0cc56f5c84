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
# Static files are part of the image, so every app container has the same ones and none
# writes to its own disk at start. The key only lets the settings load for this step.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input

# /app/media only for a run without a bucket (MEDIA_STORAGE left at the local disk).
RUN useradd --create-home --uid 1000 app && mkdir -p /app/media && chown -R app /app/media
USER app

EXPOSE 8000
CMD ["gunicorn", "cms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
