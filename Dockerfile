# One image for every process of the stack (api, beat, worker, livecore, nodes);
# docker-compose.yml picks the command. Configured only by environment variables.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 GINKGO_VAR_DIR=/var/lib/ginkgo
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY ginkgo_site ginkgo_site
COPY trading trading
COPY scheduling scheduling
COPY monitoring monitoring
COPY manage.py ./
# collectstatic needs settings but no secret: DEBUG opts in to the dev key for this step only.
RUN pip install . && mkdir -p /var/lib/ginkgo && DJANGO_DEBUG=true python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "ginkgo_site.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
