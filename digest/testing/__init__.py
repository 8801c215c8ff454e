"""Local stand-ins for what tests and benchmarks cannot reach, shipped with the product so a
test suite of one's own (or `make bench`) can use them too:

- ``sendgrid_api``: SendGrid's Mail Send endpoint on 127.0.0.1, checking each request against
  the documented schema and answering as scripted (202, 429 with rate-limit headers, 5xx, ...);
- ``llm_api``: an OpenAI-compatible chat-completions endpoint on 127.0.0.1, checking each
  request's shape and answering as scripted (a summary, 500, broken JSON, a slow answer);
- ``smtp_server``: an SMTP server (aiosmtpd) that keeps, refuses or defers messages;
- ``local_web``: a web of pages, feeds and WordPress endpoints, some misbehaving on purpose;
- ``sites``: a digest installation in a folder (its own database and environment) whose
  verbs run as real processes;
- ``web_server``: such a site's web server (gunicorn or runserver) as a real process.

They need the development extras (``pip install -e '.[dev]'``).
"""

__all__ = ["llm_api", "local_web", "sendgrid_api", "sites", "smtp_server", "web_server"]
