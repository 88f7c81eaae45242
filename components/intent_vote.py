"""A second intent classifier that votes with DIETClassifier.

DIET and a logistic regression read the same sentence features but err on different
messages: DIET (a small neural network, trained with random batches) on some, the linear
model (one weight per word and letter group) on others. Averaging their probabilities is
right more often than either alone (measured on the development sets,
docs/performance.md), and the linear model trains in seconds.

The linear model reads the features weighed by scikit-learn's TfidfTransformer: a word counts
less the more messages have it ("ich", "die") and its repeats count less than its first use,
so a long message no longer outweighs a short one by its length. On the development sets C-P
the linear model alone, on the same features, was right on 5,236 messages of 5,673 instead of
5,115 (docs/performance.md).

Placed right after DIETClassifier: it takes DIET's ranking from the message, averages it
with its own probabilities (`diet_weight` for DIET's share) and writes the joint intent
and ranking, which the FallbackClassifier and the guards then read as before.

Safety first: the vote neither raises nor silences an alarm. Where DIET ranks an emergency or a
crisis first (`safety_intents`), its ranking stands; otherwise the linear model's share of those
intents goes to the others, so it cannot make a question about a firm massage a crisis on its
own. Emergencies and crises stay as DIET and the safety guard (its word lists) find them.

Stored as numbers only: the TF-IDF weights, the linear model's weights and the intent names in
one NumPy file read without pickle, so a model file cannot carry code. (Rasa's own classifier
stores the scikit-learn objects with skops, whose import alone took 4 s of every training, and
whose loader has had advisories for crafted files; docs/audit.md.)
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.extmath import softmax
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

logger = logging.getLogger(__name__)

# what the stored file holds: arrays of numbers and the intent names, nothing else
SAVED_ARRAYS = ("idf", "coef", "intercept", "classes")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentVote(LogisticRegressionClassifier):
    """Rasa's logistic regression classifier, averaged with the intent ranking before it."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "diet_weight": 0.5,
            "safety_intents": ["warning_signs", "crisis"],
            # the inverse of the penalty on large weights; TF-IDF features are small numbers,
            # so they need a weaker penalty than Rasa's 1.0 (development sets: 30 best)
            "C": 30.0,
            # SAG suits many sparse rows of length 1 (TF-IDF rows are): on sets C-P as accurate as
            # Rasa's L-BFGS with 100 iterations (5,299 against 5,297 of 5,673) and the vote
            # trains in 13 s instead of 22 s of `rasa train` (4.12.2026, docs/performance.md)
            "solver": "sag",
            "max_iter": 50,
        }

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))
        self.clf = Pipeline([("tfidf", TfidfTransformer(sublinear_tf=True)), ("linear", self.clf)])
        # the linear model's weights, one column per intent, laid out for the product with a
        # message's row (see _probabilities); None where scikit-learn's own path is taken
        self._columns: np.ndarray | None = None

    def _file(self, model_dir: Any) -> Any:
        return model_dir / f"{self._resource.name}.npz"

    def persist(self) -> None:
        tfidf, linear = self.clf.named_steps["tfidf"], self.clf.named_steps["linear"]
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(
                self._file(model_dir),
                idf=tfidf.idf_,
                coef=linear.coef_,
                intercept=linear.intercept_,
                classes=np.asarray(linear.classes_, dtype=str),
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentVote:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                # allow_pickle=False: numbers and strings only, a file holding objects is refused
                with np.load(component._file(model_dir), allow_pickle=False) as stored:
                    arrays = {name: stored[name] for name in SAVED_ARRAYS}
            component._restore(**arrays)
        except (ValueError, KeyError, OSError) as error:
            # not trained (no examples) or not ours: DIET's answer stands, as in process()
            logger.warning("IntentVote not loaded, DIET decides alone: %s", error)
        return component

    def _restore(self, idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray) -> None:
        """The fitted pipeline again, from its numbers (scikit-learn's attributes, as fit() sets them)."""
        # scikit-learn keeps one row of weights for two intents, one per intent for more
        rows = 1 if len(classes) == 2 else len(classes)
        if coef.ndim != 2 or coef.shape != (rows, len(idf)) or intercept.shape != (rows,):
            raise ValueError(f"stored shapes do not fit: {coef.shape}, {intercept.shape}, {idf.shape}")
        tfidf = self.clf.named_steps["tfidf"]
        tfidf.idf_ = idf
        tfidf.n_features_in_ = len(idf)
        linear: LogisticRegression = self.clf.named_steps["linear"]
        linear.coef_, linear.intercept_, linear.classes_ = coef, intercept, classes
        linear.n_features_in_ = coef.shape[1]
        self._set_columns()

    def _set_columns(self) -> None:
        linear: LogisticRegression = self.clf.named_steps["linear"]
        # softmax over one row of weights per intent, as scikit-learn does for more than two
        # intents (its "multinomial"); two intents share one row and take scikit-learn's path
        multinomial = len(linear.classes_) > 2 and linear.multi_class in ("auto", "multinomial")
        # the IDF diagonal as scikit-learn 1.1 keeps it (constraints.txt); a later one takes its own path
        has_diagonal = hasattr(self.clf.named_steps["tfidf"], "_idf_diag")
        fits = multinomial and linear.solver != "liblinear" and has_diagonal
        self._columns = np.ascontiguousarray(linear.coef_.T) if fits else None

    def _create_X(self, messages: list[Message]) -> scipy.sparse.csr_matrix:
        """One row per message: its sentence features side by side, as message.get_sparse_features
        gives them, laid straight into one matrix. Rasa stacks twice per message, and copies and
        stacks the token-level features it does not use: 2-3 s of every training, and scipy's
        stacks took 0.3 ms of each turn."""
        parts = []
        for message in messages:
            sentence = [f.features for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
            if not sentence or not all(scipy.sparse.isspmatrix_coo(f) and f.shape[0] == 1 for f in sentence):
                return super()._create_X(messages)  # features of another kind: Rasa's own way
            parts.append(sentence)
        widths = [f.shape[1] for f in parts[0]]
        if any([f.shape[1] for f in sentence] != widths for sentence in parts):
            return super()._create_X(messages)
        offsets = np.cumsum([0, *widths[:-1]])
        data = [f.data for sentence in parts for f in sentence]
        columns = [f.col + offset for sentence in parts for f, offset in zip(sentence, offsets, strict=True)]
        ends = np.cumsum([0, *(sum(f.nnz for f in sentence) for sentence in parts)])
        rows = scipy.sparse.csr_matrix(
            (np.concatenate(data), np.concatenate(columns), ends), shape=(len(parts), sum(widths))
        )
        rows.sum_duplicates()  # as a conversion from Rasa's stacked features would (none here)
        return rows

    def train(self, training_data: TrainingData) -> Resource:
        # 50 iterations stop before the optimiser's tolerance is met; 100 took twice as long and
        # classified the development sets no better, so the warning would only alarm an editor
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            resource = super().train(training_data)
        if hasattr(self.clf, "classes_"):
            self._set_columns()
        return resource

    def _probabilities(self, features: scipy.sparse.spmatrix) -> np.ndarray:
        """`self.clf.predict_proba(features)`, the same numbers to the bit, a turn 0.9 ms sooner.

        scikit-learn checks its input at each step (about 0.9 of the vote's 1.1 ms per message,
        docs/performance.md). These are its own steps, functions and order for a fitted TF-IDF
        pipeline with a multinomial linear model: TfidfTransformer.transform (log + 1, times the
        IDF diagonal, rows to length 1) and LogisticRegression.predict_proba (softmax of the
        rows times the weights plus the intercept).
        """
        if self._columns is None:
            return self.clf.predict_proba(features)
        tfidf: TfidfTransformer = self.clf.named_steps["tfidf"]
        rows = scipy.sparse.csr_matrix(features, dtype=np.float64, copy=True)
        np.log(rows.data, rows.data)
        rows.data += 1
        rows = rows * tfidf._idf_diag
        inplace_csr_row_normalize_l2(rows)
        return softmax(rows @ self._columns + self.clf.named_steps["linear"].intercept_, copy=False)

    def process(self, messages: list[Message]) -> list[Message]:
        if not messages or not hasattr(self.clf, "classes_"):
            return messages  # not trained (no examples): DIET's answer stands
        probabilities = self._probabilities(self._create_X(messages))
        weight = float(self.config["diet_weight"])
        safety = set(self.config["safety_intents"])
        for message, own in zip(messages, probabilities, strict=False):
            before = {r[INTENT_NAME_KEY]: r[PREDICTED_CONFIDENCE_KEY] for r in message.get(INTENT_RANKING_KEY) or []}
            if before and max(before, key=before.get) in safety:
                continue  # DIET's alarm stands as it is
            # the linear model's own share, without the safety intents
            votes = {name: float(p) for name, p in zip(self.clf.classes_, own, strict=False) if name not in safety}
            total = sum(votes.values()) or 1.0
            weight_here = weight if before else 0.0  # nothing before it to vote with: its own ranking
            joint = {name: (1 - weight_here) * p / total for name, p in votes.items()}
            for name, p in before.items():
                joint[name] = joint.get(name, 0.0) + weight_here * p
            ranking = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                for name, confidence in sorted(joint.items(), key=lambda item: -item[1])
            ]
            if self.config["ranking_length"] > 0:
                ranking = ranking[: self.config["ranking_length"]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # later components need no intent on the training examples
        return training_data
