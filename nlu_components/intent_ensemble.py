"""Intent classification by two opinions: DIET's ranking averaged with a logistic regression's.

On our own held-out split a logistic regression over the sparse word and
character n-gram features classified intents better than DIET (docs/nlu.md),
but alone it keys on single words and misread plain openers that DIET gets
right (雪地靴我该买多大 -> out_of_scope). Averaging the two probability
distributions keeps what each does well: the regression's breadth on unseen
wording, DIET's reading of the whole phrase. Placed after DIET, this component
reads DIET's ``intent_ranking``, mixes it with its own probabilities
(``diet_weight`` for DIET, the rest for the regression) and sets ``intent``
and ``intent_ranking``; DIET's entities are untouched.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from nlu_components.logistic_intent import LogisticIntentClassifier

INTENT_RANKING = "intent_ranking"


def mix_rankings(
    diet: list[dict[str, Any]], own: dict[str, float], diet_weight: float, keep: int = 10
) -> list[dict[str, Any]]:
    """The weighted average of two intent distributions, best first, as a Rasa ranking.

    An intent missing from DIET's (truncated) ranking counts as 0 there.
    """
    diet_scores = {
        str(r[INTENT_NAME_KEY]): float(r[PREDICTED_CONFIDENCE_KEY])
        for r in diet
        if r.get(INTENT_NAME_KEY)
    }
    names = set(diet_scores) | set(own)
    mixed = {
        n: diet_weight * diet_scores.get(n, 0.0) + (1.0 - diet_weight) * own.get(n, 0.0)
        for n in names
    }
    best = sorted(mixed.items(), key=lambda kv: kv[1], reverse=True)[:keep]
    return [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: s} for n, s in best]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentEnsemble(LogisticIntentClassifier):
    """DIET's intent ranking averaged with a logistic regression's (see module doc)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The regression's settings plus DIET's share of the vote."""
        return {**LogisticIntentClassifier.get_default_config(), "diet_weight": 0.5}

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets ``intent`` and ``intent_ranking`` from both opinions."""
        weight = float(self.config["diet_weight"])
        if not messages:
            return messages
        probas = self.clf.predict_proba(self._create_X(messages))
        classes = [str(c) for c in self.clf.classes_]
        for message, row in zip(messages, probas, strict=True):
            own = dict(zip(classes, (float(p) for p in row), strict=True))
            diet = message.get(INTENT_RANKING) or []
            ranking = mix_rankings(diet, own, weight)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING, ranking, add_to_output=True)
        return messages
