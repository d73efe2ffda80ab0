"""Learning from corrections: the messages the bot was unsure of, from their labels and review to training.

Record messages the bot was unsure of and the labels people give them, review them, and hand the accepted ones to
training.

Every text is masked (`bot.nlu.text.masking`) before it is stored, and conversations are known only by the SHA-256 of
their id. An example is unique per conversation × message key (the Rasa timestamp of the user message), so a
retry, a second click or a second correction returns the same example; a label is unique per example × source ×
actor, so repeating one updates it. Logs carry ids and labels, never texts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timezone
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import NluExample, NluLabel, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import NotFoundError, ValidationError
from bot.nlu.text.masking import has_content, mask_pii
from bot.services.nlu_feedback.fields import (
    CATEGORIES,
    MAX_CHANNEL,
    MAX_INTENT,
    actor_name,
    as_utc,
    candidates_json,
    clamped_confidence,
    conversation_hash,
    example_key,
    example_language,
    label_category,
    text_hash,
)
from bot.services.nlu_feedback.types import (
    CUSTOMER_ACTOR,
    Decision,
    LabelSource,
    LabelView,
    LearnedExample,
    Origin,
    ReviewItem,
    ReviewStatus,
    message_key_of,
    winner_of,
)

logger = logging.getLogger(__name__)

MAX_REVIEW_PAGE = 200


class NluFeedbackService:
    """Owns the transactions of the examples and their labels; framework-free."""

    def __init__(self, sessions: SessionFactory, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    # --- recording ------------------------------------------------------------------------------------------------
    async def record_uncertain(
        self, *, conversation_id: str, message_key: str, channel: str, text: str, language: str,
        predicted: str | None, confidence: float, candidates: list[str], origin: str = Origin.DID_YOU_MEAN.value,
    ) -> int | None:
        """Store the message the bot was unsure of (masked); its id, the same for a retry. None: nothing left."""
        try:
            origin_value = Origin(origin).value
        except ValueError:
            raise ValidationError(f"unknown origin {str(origin)[:24]!r}") from None
        masked = mask_pii(text)
        if not has_content(masked):
            return None
        example = self._example(conversation_id, message_key, channel, masked, language, predicted, confidence,
                                candidates, origin_value)
        async with self._sessions() as session, session.begin():
            example_id, created = await self._get_or_add(session, example)
        if created:
            logger.info("nlu_feedback.example_recorded id=%s origin=%s", example_id, origin_value)
        return example_id

    async def record_label(
        self, *, conversation_id: str, message_key: str, label: str, source: str, actor: str
    ) -> bool:
        """Label the example recorded for that message; False when there is none or the label is not a category."""
        category = label_category(label)
        try:
            source_value = LabelSource(source).value
        except ValueError:
            raise ValidationError(f"unknown label source {str(source)[:24]!r}") from None
        key = message_key_of(message_key)
        if category is None or key is None or not conversation_id:
            return False
        who = CUSTOMER_ACTOR if source_value == LabelSource.CUSTOMER.value else actor_name(actor)
        for attempt in (1, 2):  # a concurrent first label of the same row: the second try updates it
            try:
                async with self._sessions() as session, session.begin():
                    example = (await session.execute(select(NluExample).where(
                        NluExample.conversation_hash == conversation_hash(conversation_id),
                        NluExample.message_key == key,
                    ))).scalar_one_or_none()
                    if example is None:
                        return False
                    example_id = example.id
                    await self._upsert_label(session, example, category, source_value, who)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        logger.info("nlu_feedback.label_recorded id=%s source=%s label=%s", example_id, source_value, category)
        return True

    async def record_correction(
        self, *, conversation_id: str, message_key: str, text: str, channel: str, language: str,
        predicted: str | None, confidence: float | None, label: str, agent: str,
    ) -> int:
        """An agent's correction of the live triage: the example (origin "agent" when new) and the agent's label."""
        category = label_category(label)
        if category is None:
            raise ValidationError(f"label must be one of the {len(CATEGORIES)} triage categories")
        who = actor_name(agent)
        masked = mask_pii(text)
        if not has_content(masked):
            raise ValidationError("the message holds nothing to learn from once personal data is masked")
        for attempt in (1, 2):  # a concurrent first correction of the same label row: the second try updates it
            example = self._example(conversation_id, message_key, channel, masked, language, predicted, confidence,
                                    [], Origin.AGENT.value)
            try:
                async with self._sessions() as session, session.begin():
                    example_id, _ = await self._get_or_add(session, example)
                    stored = await session.get(NluExample, example_id)
                    assert stored is not None
                    await self._upsert_label(session, stored, category, LabelSource.AGENT.value, who)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        logger.info("nlu_feedback.correction_recorded id=%s label=%s", example_id, category)
        return example_id

    def _example(
        self, conversation_id: str, message_key: Any, channel: str, masked: str, language: Any, predicted: Any,
        confidence: Any, candidates: Any, origin: str,
    ) -> NluExample:
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ValidationError("a conversation id is required")
        now = self._clock()
        return NluExample(
            created_at=now, updated_at=now, conversation_hash=conversation_hash(conversation_id),
            message_key=example_key(message_key, masked), channel=str(channel or "unknown")[:MAX_CHANNEL],
            language=example_language(language, masked), text=masked, text_hash=text_hash(masked),
            predicted_intent=str(predicted)[:MAX_INTENT] if predicted else None,
            predicted_confidence=clamped_confidence(confidence), candidates=candidates_json(candidates), origin=origin,
            review_status=ReviewStatus.PENDING.value,
        )

    @staticmethod
    async def _get_or_add(session: AsyncSession, example: NluExample) -> tuple[int, bool]:
        query = select(NluExample.id).where(
            NluExample.conversation_hash == example.conversation_hash, NluExample.message_key == example.message_key
        )
        existing = (await session.execute(query)).scalar_one_or_none()
        if existing is not None:
            return int(existing), False
        try:
            async with session.begin_nested():
                session.add(example)
                await session.flush()
        except IntegrityError:  # a concurrent retry inserted it first
            winner = (await session.execute(query)).scalar_one()
            return int(winner), False
        return int(example.id), True

    async def _upsert_label(
        self, session: AsyncSession, example: NluExample, label: str, source: str, actor: str
    ) -> None:
        now = self._clock()
        existing = (await session.execute(select(NluLabel).where(
            NluLabel.example_id == example.id, NluLabel.source == source, NluLabel.actor == actor,
        ))).scalar_one_or_none()
        if existing is None:
            session.add(NluLabel(example_id=example.id, label=label, source=source, actor=actor, created_at=now,
                                 updated_at=now))
        elif existing.label != label:
            existing.label, existing.updated_at = label, now
        await session.flush()
        if example.review_status == ReviewStatus.ACCEPTED.value:  # keep the recorded verdict's label current
            example.final_label = winner_of(await self._labels(session, example.id)).label
        example.updated_at = now

    @staticmethod
    async def _labels(session: AsyncSession, example_id: int) -> list[LabelView]:
        rows = (await session.execute(
            select(NluLabel).where(NluLabel.example_id == example_id).order_by(NluLabel.id)
        )).scalars().all()
        return [_label_view(row) for row in rows]

    # --- review ---------------------------------------------------------------------------------------------------
    async def review_queue(
        self, *, status: str = ReviewStatus.PENDING.value, limit: int = 50, before_id: int | None = None,
        max_confidence: float | None = None,
    ) -> list[ReviewItem]:
        """Examples in `status`, newest first (ids below `before_id`), each with its labels, winner and agreement."""
        try:
            wanted = ReviewStatus(status).value
        except ValueError:
            raise ValidationError(f"status must be one of {', '.join(s.value for s in ReviewStatus)}") from None
        if not 1 <= limit <= MAX_REVIEW_PAGE:
            raise ValidationError(f"limit must be 1..{MAX_REVIEW_PAGE}")
        query = select(NluExample).where(NluExample.review_status == wanted)
        if before_id is not None:
            query = query.where(NluExample.id < before_id)
        if max_confidence is not None:
            query = query.where(or_(NluExample.predicted_confidence.is_(None),
                                    NluExample.predicted_confidence <= max_confidence))
        async with self._sessions() as session:
            examples = (await session.execute(query.order_by(NluExample.id.desc()).limit(limit))).scalars().all()
            labels = await self._labels_of(session, [e.id for e in examples])
        return [_review_item(e, labels.get(e.id, [])) for e in examples]

    async def get(self, example_id: int) -> ReviewItem:
        """One example as the review queue shows it; `NotFoundError` when there is none."""
        async with self._sessions() as session:
            example = await session.get(NluExample, example_id)
            if example is None:
                raise NotFoundError(f"no example {example_id}")
            return _review_item(example, await self._labels(session, example_id))

    async def review(self, example_id: int, *, decision: str, label: str | None, supervisor: str) -> ReviewItem:
        """Accept (with the winning label), reject, or relabel (a supervisor label, then accepted) an example."""
        try:
            verdict = Decision(decision)
        except ValueError:
            raise ValidationError("decision must be accept, reject or relabel") from None
        who = actor_name(supervisor)
        category = label_category(label)
        if verdict is Decision.RELABEL and category is None:
            raise ValidationError(f"relabel needs a label, one of the {len(CATEGORIES)} triage categories")
        async with self._sessions() as session, session.begin():
            example = await session.get(NluExample, example_id)
            if example is None:
                raise NotFoundError(f"no example {example_id}")
            if verdict is Decision.RELABEL:
                assert category is not None
                await self._upsert_label(session, example, category, LabelSource.SUPERVISOR.value, who)
            winner = winner_of(await self._labels(session, example_id))
            if verdict is Decision.REJECT:
                example.review_status, example.final_label = ReviewStatus.REJECTED.value, None
            else:
                if winner.label is None:
                    raise ValidationError("the example has no label yet: relabel it instead")
                example.review_status, example.final_label = ReviewStatus.ACCEPTED.value, winner.label
            example.reviewed_by, example.reviewed_at = who, self._clock()
        logger.info(
            "nlu_feedback.example_reviewed id=%s decision=%s label=%s", example_id, verdict.value, example.final_label
        )
        return await self.get(example_id)

    # --- export ---------------------------------------------------------------------------------------------------
    async def learned_examples(self, *, since: date | None = None, min_agreement: float = 0.5) -> list[LearnedExample]:
        """Accepted examples (reviewed on or after `since`, UTC) whose winning label has `min_agreement` or more."""
        if not 0.0 <= min_agreement <= 1.0:
            raise ValidationError("min_agreement must be between 0 and 1")
        query = select(NluExample).where(NluExample.review_status == ReviewStatus.ACCEPTED.value)
        if since is not None:
            query = query.where(NluExample.reviewed_at >= datetime.combine(since, time.min, tzinfo=timezone.utc))
        async with self._sessions() as session:
            examples = (await session.execute(query.order_by(NluExample.id))).scalars().all()
            labels = await self._labels_of(session, [e.id for e in examples])
        learned: list[LearnedExample] = []
        for example in examples:
            winner = winner_of(labels.get(example.id, []))
            if winner.label is not None and winner.agreement + 1e-9 >= min_agreement:
                learned.append(LearnedExample(example.id, example.text, example.text_hash, example.language,
                                              winner.label, winner.agreement, as_utc(example.reviewed_at)))
        return learned

    @staticmethod
    async def _labels_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[LabelView]]:
        found: dict[int, list[LabelView]] = {}
        for start in range(0, len(ids), 500):  # stay below every driver's bound-parameter limit
            rows = (await session.execute(
                select(NluLabel).where(NluLabel.example_id.in_(ids[start : start + 500])).order_by(NluLabel.id)
            )).scalars().all()
            for row in rows:
                found.setdefault(row.example_id, []).append(_label_view(row))
        return found


def _label_view(row: NluLabel) -> LabelView:
    at = as_utc(row.updated_at or row.created_at)
    assert at is not None
    return LabelView(row.label, row.source, row.actor, at)


def _review_item(example: NluExample, labels: list[LabelView]) -> ReviewItem:
    winner = winner_of(labels)
    try:
        candidates = tuple(str(c) for c in json.loads(example.candidates or "[]"))
    except ValueError:
        candidates = ()
    created = as_utc(example.created_at)
    assert created is not None
    return ReviewItem(
        id=example.id, created_at=created, channel=example.channel, language=example.language, text=example.text,
        predicted_intent=example.predicted_intent, predicted_confidence=example.predicted_confidence,
        candidates=candidates, origin=example.origin, review_status=example.review_status,
        reviewed_by=example.reviewed_by, reviewed_at=as_utc(example.reviewed_at), final_label=example.final_label,
        labels=tuple(labels), winner=winner.label, agreement=winner.agreement,
    )
