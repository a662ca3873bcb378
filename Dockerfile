# The app image, for the web server (gunicorn) and the job processes (worker, consumer, scheduler):
# see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# ffprobe and ffmpeg: audio uploads are probed, remuxed and decoded for their waveform (docs/media.md).
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
# Requirements first, so that a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN useradd --system --uid 10001 --home-dir /app app && mkdir /data && chown app /data
USER app

ENV WEB_HOST=0.0.0.0 \
    WEB_PORT=8000 \
    DATA_DIR=/data
EXPOSE 8000
CMD ["gunicorn", "-c", "stack/gunicorn.conf.py", "wsgi:app"]
