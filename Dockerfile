# Slim Python 3.11 image: installs the project as `make` does, builds the index (and the
# ONNX export of MiniLM) at build time, and serves as a non-root user. The paths are set
# explicitly: installed (not editable), the package's own folder is site-packages.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    QA_HOST=0.0.0.0 \
    QA_PORT=8000 \
    QA_SEEDS_DIR=/app/seeds \
    QA_DATA_DIR=/app/data \
    QA_INDEX_DIR=/app/index \
    QA_ONNX_MODEL=/app/index/encoder/all-MiniLM-L6-v2.onnx

RUN useradd --create-home --uid 1000 qa
WORKDIR /app

# torch first, pinned to the CPU build: anything else pulls a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    || pip install torch==2.13.0

COPY pyproject.toml README.md ./
COPY qa ./qa
RUN pip install .

COPY seeds ./seeds
COPY index/README.md ./index/README.md
RUN qa index && chown -R qa:qa /app

USER qa
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["qa", "serve"]
