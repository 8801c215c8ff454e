"""Summaries written by a language model behind an OpenAI-compatible chat endpoint.

Off unless ``DIGEST_LLM_URL`` is set. Any server that speaks ``POST /v1/chat/completions``
works: a hosted API, or vLLM or Ollama on this machine. This module only asks and reads the
answer; whether the answer is used (the daily cap, the faithfulness gate, the fallback to
the extractive summary) is ``digest.machine_summary``'s decision.

Everything that can go wrong with the endpoint (a timeout, a refused connection, an HTTP
error, an answer that is not the documented JSON, an empty, cut-off, overlong or
wrong-language answer) raises ``WriterError`` with a message for the log; nothing else
escapes. One request per summary, never retried: the cap counts requests, and an article
that gets no answer keeps its extractive summary.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

import httpx
from django.conf import settings

from . import summarize
from .http import USER_AGENT

MAX_ANSWER_BYTES = 256 * 1024
MAX_ARTICLE_CHARS = 12_000  # a long story is cut at a paragraph; the gate reads all of it
MAX_TOKENS = 400
TOO_LONG = 1.5  # an answer this far over the length is refused, not trimmed


@dataclass(frozen=True)
class Length:
    """How long a summary may be: words in English, characters (spaces included) in Korean."""

    words: int = 45
    chars: int = 130


# A short list's length (MailingList.summary_length), as the extractive summarizer keeps it.
SHORT = Length(words=summarize.SHORT_MAX_WORDS["en"], chars=summarize.SHORT_MAX_CHARS["ko"])


@dataclass(frozen=True)
class WriterConfig:
    """The endpoint and its limits, from the ``DIGEST_LLM_*`` settings.

    ``url`` is the API's base, e.g. ``http://127.0.0.1:11434/v1`` (Ollama) or
    ``https://api.example.com/v1``; ``api_key`` is sent as a Bearer token when given.
    """

    url: str
    model: str
    api_key: str = ""
    timeout: float = 30.0
    daily_cap: int = 200

    @classmethod
    def from_settings(cls) -> WriterConfig | None:
        """The configured writer, or None when ``DIGEST_LLM_URL`` is unset (the default)."""
        if not settings.DIGEST_LLM_URL:
            return None
        return cls(
            url=settings.DIGEST_LLM_URL.rstrip("/"),
            model=settings.DIGEST_LLM_MODEL,
            api_key=settings.DIGEST_LLM_API_KEY,
            timeout=settings.DIGEST_LLM_TIMEOUT,
            daily_cap=settings.DIGEST_LLM_DAILY_CAP,
        )


class WriterError(Exception):
    """The endpoint gave no usable summary; the message says why, for the log."""


_INSTRUCTIONS = {
    "en": (
        "You summarize one news article for a morning email newsletter. Write in English, "
        "at most {words} words, in one to three complete sentences. Use only what the article "
        "says: every number, date, name and quotation must appear in the article exactly as "
        "written there. Add no background, opinion or relative dates such as 'yesterday'. "
        "Answer with the summary only: no headline, no label, no quotation marks around it."
    ),
    "ko": (
        "아침 이메일 뉴스레터에 실을 기사 요약을 한국어로 쓰세요. 공백 포함 {chars}자 이내, "
        "한두 문장의 완결된 문장으로 쓰세요. 기사에 있는 내용만 쓰고, 숫자·날짜·이름·인용문은 "
        "기사에 적힌 그대로 쓰세요. 배경 설명, 의견, '어제' 같은 상대적 날짜는 넣지 마세요. "
        "제목이나 머리말 없이 요약문만 답하세요."
    ),
}
_ARTICLE = {"en": "Headline: {title}\n\n{body}", "ko": "제목: {title}\n\n{body}"}


def build_messages(
    title: str, body: str, language: str, length: Length = SHORT
) -> list[dict[str, str]]:
    """The chat messages asking for one summary of the article, in its own language.

    The length is a parameter so each list can have its own (short at collection).
    """
    if language not in _INSTRUCTIONS:
        raise ValueError(f"unsupported language {language!r}")
    instructions = _INSTRUCTIONS[language].format(words=length.words, chars=length.chars)
    article = _ARTICLE[language].format(title=title.strip(), body=_shortened(body.strip()))
    return [
        {"role": "system", "content": instructions},
        {"role": "user", "content": article},
    ]


def _shortened(body: str) -> str:
    if len(body) <= MAX_ARTICLE_CHARS:
        return body
    cut = body.rfind("\n\n", 0, MAX_ARTICLE_CHARS)
    return body[: cut if cut > 0 else MAX_ARTICLE_CHARS]


class LlmWriter:
    """Asks the endpoint for summaries; ``transport`` lets a test answer without a server."""

    def __init__(self, config: WriterConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self._client = httpx.Client(
            timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0)),
            headers=headers,
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> LlmWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(self, title: str, body: str, language: str, length: Length = SHORT) -> str:
        """One summary of the article, checked for language and length; else ``WriterError``."""
        payload = {
            "model": self.config.model,
            "messages": build_messages(title, body, language, length),
            "temperature": 0,
            "max_tokens": MAX_TOKENS,
            "stream": False,
        }
        raw = self._post(payload)
        text = _answer_text(raw)
        _check_answer(text, language, length)
        return text

    def _post(self, payload: dict) -> bytes:
        url = f"{self.config.url}/chat/completions"
        deadline = time.monotonic() + self.config.timeout
        try:
            with self._client.stream("POST", url, json=payload) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_ANSWER_BYTES:
                        raise WriterError(f"answer larger than {MAX_ANSWER_BYTES // 1024} KB")
                    if time.monotonic() > deadline:  # a server that trickles its answer
                        raise httpx.ReadTimeout("answer not finished in time")
                    chunks.append(chunk)
                content = b"".join(chunks)
                if response.status_code >= 400:
                    raise WriterError(f"HTTP {response.status_code}{_error_detail(content)}")
                return content
        except httpx.TimeoutException:
            raise WriterError(f"no answer within {self.config.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise WriterError(f"could not reach {url}: {type(exc).__name__}: {exc}") from None


def _error_detail(content: bytes) -> str:
    """The server's own words from an OpenAI-style error body, when it sent one."""
    try:
        message = json.loads(content)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return ""
    return f": {str(message)[:200]}"


_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)
_LABEL = re.compile(r"^(?:\*\*)?(?:summary|요약)(?:\*\*)?\s*[:：]\s*", re.IGNORECASE)
_WRAPPING_QUOTES = [('"', '"'), ("“", "”"), ("'", "'")]


def _answer_text(raw: bytes) -> str:
    """The message content of the first choice, cleaned of labels and wrapping quotes."""
    try:
        data = json.loads(raw)
        choice = data["choices"][0]
        content = choice["message"]["content"]
    except ValueError:
        raise WriterError("malformed answer: not JSON") from None
    except (KeyError, IndexError, TypeError):
        raise WriterError("malformed answer: no choices[0].message.content") from None
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise WriterError("malformed answer: the content is not text")
    if isinstance(choice, dict) and choice.get("finish_reason") == "length":
        raise WriterError("answer cut off at the token limit")
    text = " ".join(_THINKING.sub(" ", content).split())
    text = _LABEL.sub("", text)
    for opening, closing in _WRAPPING_QUOTES:
        inner = text[1:-1]
        if text.startswith(opening) and text.endswith(closing) and opening not in inner:
            text = inner.strip()
    if not text:
        raise WriterError("empty answer")
    return text


_HANGUL = re.compile(r"[가-힣]")
_LETTER = re.compile(r"[^\W\d_]")


def _check_answer(text: str, language: str, length: Length) -> None:
    letters = len(_LETTER.findall(text)) or 1
    hangul = len(_HANGUL.findall(text)) / letters
    if (language == "ko" and hangul < 0.5) or (language == "en" and hangul > 0.1):
        raise WriterError(f"answer not in the article's language ({language})")
    if language == "en":
        words = len(text.split())
        if words > length.words * TOO_LONG:
            raise WriterError(f"answer too long: {words} words for about {length.words}")
    elif len(text) > length.chars * TOO_LONG:
        raise WriterError(f"answer too long: {len(text)} characters for about {length.chars}")
