"""The recommendation lifecycle as domain.md states it, as plain functions."""

import pytest

from panel.lessons import lifecycle
from panel.lessons.lifecycle import Move, RecommendationRefused
from panel.lessons.models import RecommendationStatus as S


@pytest.mark.parametrize(
    ("status", "moves"),
    [
        (S.OPEN, [Move.RESPOND, Move.WITHDRAW]),
        (S.ACCEPTED, [Move.IMPLEMENT, Move.WITHDRAW]),
        (S.NOT_ACCEPTED, [Move.CLOSE, Move.WITHDRAW]),
        (S.IMPLEMENTED, [Move.CLOSE]),
        (S.CLOSED, []),
        (S.WITHDRAWN, []),
    ],
)
def test_each_status_offers_the_next_steps_of_the_workflow(status, moves):
    assert lifecycle.available(status) == moves


def test_a_response_is_accepted_or_not_accepted_and_nothing_else():
    lifecycle.check(S.OPEN, Move.RESPOND, S.ACCEPTED)
    lifecycle.check(S.OPEN, Move.RESPOND, S.NOT_ACCEPTED)
    with pytest.raises(RecommendationRefused, match="accepted, not accepted"):
        lifecycle.check(S.OPEN, Move.RESPOND, S.CLOSED)


def test_a_closed_recommendation_cannot_be_reopened_by_a_response():
    with pytest.raises(RecommendationRefused, match="closed: it cannot be responded to"):
        lifecycle.check(S.CLOSED, Move.RESPOND, S.ACCEPTED)


def test_implementation_comes_after_acceptance():
    with pytest.raises(RecommendationRefused, match="open: it cannot be marked as implemented"):
        lifecycle.check(S.OPEN, Move.IMPLEMENT, S.IMPLEMENTED)
