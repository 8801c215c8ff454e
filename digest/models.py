"""The newsletter's records: what was collected, what each edition holds, what each reader got."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils import timezone

from subscribers.models import Language, MailingList, Subscriber

from .keywords import validate_keywords

# The four default sections' colours (the migration that adds the field sets them too).
DEFAULT_ACCENTS = {
    "trade": "#b3261e",
    "diplomacy": "#1f5f99",
    "community": "#1e7a46",
    "more": "#6b4fa0",
}


class Section(models.Model):
    """A part of the newsletter (trade, diplomacy, ...), in the order readers see them."""

    key = models.SlugField(max_length=40, unique=True)
    name_en = models.CharField("English name", max_length=100)
    name_ko = models.CharField("Korean name", max_length=100)
    position = models.PositiveIntegerField(default=0)
    max_items = models.PositiveIntegerField(default=5)
    keywords = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_keywords],
        help_text='Words that place an article here: "word" (weight 1) or ["word", weight], e.g. '
        '["tariff", 2], "관세", ["summit", 0.5]. Weight 2 for a word that nearly decides the '
        "section, 1 for an ordinary one, under 1 for a generic word, which adds to a score but "
        "never makes one alone. A word counts three times in the headline, twice in the lead.",
    )
    category_hints = models.JSONField(
        default=list,
        blank=True,
        help_text="Source categories that place an article here directly (before keywords).",
    )
    catch_all = models.BooleanField(
        default=False, help_text="Takes every article no other section claims."
    )
    accent_color = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour as #rrggbb, e.g. #b3261e.")],
        help_text="The section's colour in the email (#rrggbb). The email darkens or lightens "
        "it where needed so its label reads at 4.5:1 in light and dark mode. Empty: the default "
        "for its key.",
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name_en

    def name_for(self, language: str) -> str:
        return self.name_ko if language == Language.KOREAN else self.name_en

    def accent(self) -> str:
        """The section's colour: its own, else the default for its key, else a blue."""
        return self.accent_color or DEFAULT_ACCENTS.get(self.key, "#1f5f99")


class Source(models.Model):
    """Where articles come from; ``kind`` picks the reader in ``digest.sources``."""

    class Kind(models.TextChoices):
        FILES = "files", "Folder of saved pages"
        FEED = "feed", "RSS or Atom feed"
        WORDPRESS = "wordpress", "WordPress REST API"
        PAGE = "page", "Web pages (URLs or a section front)"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    location = models.CharField(max_length=1000, help_text="A folder path or a URL.")
    language = models.CharField(max_length=2, choices=Language.choices, blank=True)
    enabled = models.BooleanField(default=True)
    options = models.JSONField(
        default=dict, blank=True, help_text="Kind-specific settings, e.g. a list of URLs."
    )
    # Conditional GET: what the server said last time, so an unchanged feed costs nothing.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_collected_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "location"], name="source_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One story, stored once however often it is collected (unique canonical URL)."""

    class DateSource(models.TextChoices):
        ARTICLE = "article", "Given by the article"
        WIDGET = "widget", "Day the page was saved (estimate)"
        FETCHED = "fetched", "Time of collection (estimate)"
        FILE = "file", "File's time (estimate)"

    class SummarySource(models.TextChoices):
        EXTRACTIVE = "extractive", "Lead sentences"
        PENDING = "pending", "Lead sentences, waiting for the LLM writer"
        LLM = "llm", "Machine-written (LLM)"
        EDITOR = "editor", "Written by an editor"

    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)
    url = models.CharField("canonical URL", max_length=1000, unique=True)
    guid = models.CharField(
        max_length=1000, blank=True, db_index=True, help_text="The source's own id (RSS guid)."
    )
    title = models.CharField(max_length=500)
    byline = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(db_index=True)
    date_source = models.CharField(
        max_length=10, choices=DateSource.choices, default=DateSource.ARTICLE
    )
    language = models.CharField(max_length=2, choices=Language.choices)
    body = models.TextField()
    categories = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL)
    section_score = models.FloatField(default=0)
    # How sure the classifier was: the next best section, and whether the choice was thin (no
    # section reached the minimum, or the best led the next by a point or less).
    section_runner_up = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="runner-up section",
    )
    section_thin_margin = models.BooleanField(
        "section uncertain",
        default=False,
        help_text="The section won by a thin margin (or no section scored): worth a look.",
    )
    summary = models.TextField(blank=True)
    summary_source = models.CharField(
        max_length=10, choices=SummarySource.choices, default=SummarySource.EXTRACTIVE
    )
    # The content hash an LLM summary was written from: an unchanged article is not sent again.
    summary_llm_hash = models.CharField(max_length=64, blank=True)
    image_url = models.CharField(  # not URLField: its form field guesses a scheme
        "lead image URL",
        max_length=1000,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The source's own, hosted: the email links it, never embeds it.",
    )
    image_alt = models.CharField(max_length=500, blank=True)
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    collected_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def link(self) -> str:
        """The address readers can open; saved pages without one have none."""
        return self.url if self.url.startswith(("http://", "https://")) else ""


class CategoryMapping(models.Model):
    """A source category (a WordPress category name) that places articles in a section."""

    category = models.CharField(max_length=200, unique=True, help_text="As the site names it.")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="mappings")

    class Meta:
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.category} → {self.section}"


class Edition(models.Model):
    """One list's newsletter for one day."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"

    mailing_list = models.ForeignKey(MailingList, on_delete=models.PROTECT, related_name="editions")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    subject = models.CharField(max_length=300)
    preheader = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    send_before = models.DateTimeField(
        null=True,
        blank=True,
        help_text="If sending has not started by then, the edition waits for an editor.",
    )
    enqueued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    editors_note = models.TextField(
        "editor's note",
        max_length=600,
        blank=True,
        help_text="A few sentences at the top of the email, above the top story.",
    )

    class Meta:
        ordering = ["-date", "mailing_list"]
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "date"], name="edition_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_list.slug} {self.date:%Y-%m-%d}"

    @cached_property
    def undecided(self) -> int:
        """Readers of a sent edition whose fate no run could learn: uncertain (a run died
        during their send) or still claimed. Read from a ``n_undecided`` annotation when the
        query has one (lists of editions), else counted."""
        if self.status != self.Status.SENT:
            return 0
        annotated = getattr(self, "n_undecided", None)
        if annotated is not None:
            return annotated
        return self.deliveries.filter(state__in=UNDECIDED).count()

    @property
    def status_label(self) -> str:
        """The status as people read it: "Sent" only when every reader's fate is known."""
        undecided = self.undecided
        if undecided:
            return f"Sent, {undecided:,} need{'s' if undecided == 1 else ''} a decision"
        return self.get_status_display()


class EditionItem(models.Model):
    """A story in an edition: the edition's own copy of headline and summary, for editors."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL)
    section = models.ForeignKey(Section, on_delete=models.PROTECT)
    position = models.PositiveIntegerField()
    headline = models.CharField(max_length=500)
    summary = models.TextField()
    url = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "article"], name="edition_item_unique"),
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def machine_written(self) -> bool:
        """The summary is the LLM's as written, or its first sentences (a short list's cut):
        the desk labels it so that editors read it twice. An editor's rewrite is not."""
        article = self.article
        summary = self.summary.strip()
        return bool(
            article
            and summary
            and article.summary_source == Article.SummarySource.LLM
            and article.summary.startswith(summary)
        )


class EditionRender(models.Model):
    """One variant of an edition, rendered: what its readers get before their own links.

    Rendered once per edition (at approval, or by the first run that needs it) and read by
    every run and helper after that; ``fingerprint`` names what it was made from, so a
    rendering of other content, templates or code is never sent (``digest.kept_renderings``).
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="renders")
    sections = models.CharField(max_length=500, help_text="The variant's section keys, in order.")
    fingerprint = models.CharField(max_length=64)
    subject = models.CharField(max_length=300)
    preheader = models.CharField(max_length=300, blank=True)
    html = models.TextField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "fingerprint", "sections"], name="edition_render_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition} [{self.sections}]"


class Delivery(models.Model):
    """One edition to one subscriber; the row is the record of what happened to that email."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Claimed by a run, answer not recorded"
        # A run died while the provider had these: they may or may not have gone out.
        UNCERTAIN = "uncertain", "Uncertain (a run died during the send)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    # No index of its own: the unique (edition, subscriber) constraint starts with it, and
    # one index fewer is one write fewer per reader when a million are enqueued.
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="deliveries")
    email = models.EmailField(max_length=254, help_text="The address at enqueue time.")
    sections = models.JSONField(default=list, blank=True, help_text="The reader's variant.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    provider_id = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True, help_text="host:pid of the worker.")
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the provider reported afterwards (SendGrid events); the Event rows keep the detail.
    outcome = models.CharField(max_length=20, blank=True, help_text="The provider's last verdict.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    opens = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["edition", "subscriber"], name="delivery_unique"),
        ]
        indexes = [models.Index(fields=["edition", "state", "id"])]

    def __str__(self) -> str:
        return f"{self.edition} → {self.email}: {self.state}"


UNDECIDED = [Delivery.State.UNCERTAIN, Delivery.State.SENDING]


class Handoff(models.Model):
    """A claimed batch given to the provider: written (and committed) just before the call.

    If a run dies, its claimed rows with a handoff are uncertain (the provider may have sent
    them); claimed rows without one (a batch prepared while the previous one was with the
    provider) were never seen by anyone and go back to waiting. A per-message handoff
    narrows "uncertain" to the one message in flight.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    claimed_by = models.CharField(max_length=100)
    claimed_at = models.DateTimeField()
    handed_at = models.DateTimeField(default=timezone.now)
    # A sender that hands over one message at a time (SMTP) keeps the one delivery that
    # may be with the relay now, moved on in the commit that records each answer: after a
    # crash only that one is uncertain, and the batch's unanswered rest never left.
    per_message = models.BooleanField(default=False)
    in_flight = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["edition", "claimed_by", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.edition}: batch of {self.claimed_by} claimed {self.claimed_at}"


class Event(models.Model):
    """Something a provider reported about a message (SendGrid event webhook), kept once."""

    class Kind(models.TextChoices):
        PROCESSED = "processed"
        DELIVERED = "delivered"
        DEFERRED = "deferred"
        BOUNCE = "bounce"
        DROPPED = "dropped"
        OPEN = "open"
        CLICK = "click"
        SPAMREPORT = "spamreport"
        UNSUBSCRIBE = "unsubscribe"
        GROUP_UNSUBSCRIBE = "group_unsubscribe"
        GROUP_RESUBSCRIBE = "group_resubscribe"

    provider_event_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    edition = models.ForeignKey(
        Edition, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    email = models.CharField(max_length=254, blank=True)
    at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["edition", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.email} {self.at:%Y-%m-%d %H:%M}"


class EditLog(models.Model):
    """Who changed what in an edition, and when: every editor's action, before and after."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="edit_log")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)  # edit, move, reorder, drop, add, approve, ...
    item = models.ForeignKey(EditionItem, null=True, blank=True, on_delete=models.SET_NULL)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"


class SectionExample(models.Model):
    """An editor moved an article's story from one section to another: an example of where
    it belongs. One per article (the latest move wins), so moving it back corrects it; what
    a section learns from them (``digest.section_learning``) is only shown in the admin."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="section_example"
    )
    moved_from = models.ForeignKey(
        Section, null=True, on_delete=models.SET_NULL, related_name="examples_out"
    )
    moved_to = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="examples_in")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.moved_from} → {self.moved_to}"


class LlmUsage(models.Model):
    """LLM summary requests made on one day (in ``DIGEST_TIME_ZONE``), counted in the database
    so that every process shares ``DIGEST_LLM_DAILY_CAP``; ``over_cap`` counts the articles
    that got the extractive summary because the cap was reached."""

    day = models.DateField(unique=True)
    requests = models.PositiveIntegerField(default=0)
    over_cap = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = "LLM usage"
        verbose_name_plural = "LLM usage"

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}: {self.requests} requests"


class Lock(models.Model):
    """A named lease held by one process (the scheduler): a second one refuses to start."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class Heartbeat(models.Model):
    """A long-running process's last sign of life (the scheduler's, every minute), for
    ``/healthz`` and the desk. Unlike its ``Lock``, the row stays when the process stops, so
    "last heard at 05:12" can be told from "never ran"."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)  # host:pid
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)  # a clean stop; None while running

    def __str__(self) -> str:
        return f"{self.name}: {self.holder} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
