"""Review questions before the sale: 这鞋评价怎么样, 穿过的说磨脚吗, 大家说偏码吗.

The answer comes only from the stored reviews of the shoe under discussion (named,
the page's product, or the one talked about): how many and the average, the share
who found it small or large (and when that contradicts the fit note), how many speak
of a topic asked about, and one or two short quotes. With no reviews the buyer is
told so: a review is never invented. With no shoe known the assistant asks which
one; a typed name answers (``actions/context.py``), as for stock questions.

The answer itself is pure and shared: :mod:`actions.review_answer`.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.common import answer_in_transaction, latest_text
from actions.products import settle_shoe
from actions.review_answer import Messages, answer_for, question_topic
from actions.stock import asked_which_shoe
from nlu_components.text import normalize_text

ACTION_NAME = "action_answer_reviews"


class ActionAnswerReviews(Action):
    """Answers a review question from the reviews of the shoe under discussion."""

    def name(self) -> str:
        return "action_answer_reviews"  # ACTION_NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        earlier = normalize_text(asked_which_shoe(tracker, ACTION_NAME) or "", max_chars=2000)
        text = latest_text(tracker)
        topic = question_topic(text) or question_topic(earlier)

        def answer(session: Session) -> tuple[Messages, list[EventType]]:
            product, messages, events = settle_shoe(
                tracker,
                [text, earlier],
                which_response="utter_reviews_which_product",
                session=session,
            )
            if product is None:
                return messages, events
            return answer_for(product, topic, session), events

        return await answer_in_transaction(dispatcher, answer)
