"""``TfidfLogisticRegressionClassifier``: Rasa's logistic regression on weighted features.

Rasa's ``LogisticRegressionClassifier`` reads raw counts at a fixed regularisation (C = 1). A
long message then outweighs a short one, and a character n-gram found in every intent counts as
much as a rare word. This one weighs each feature as TF-IDF does (log counts times inverse
document frequency, each message scaled to unit length) and takes ``C`` from the config. The
weights are a vector of floats saved beside the classifier; nothing is pickled.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

IDF_FILE = "idf.npy"


def inverse_document_frequency(counts: scipy.sparse.csr_matrix) -> np.ndarray:
    """Smoothed idf of each column: ``ln((1 + n) / (1 + df)) + 1``, as scikit-learn's."""
    documents = counts.shape[0]
    frequency = np.bincount(counts.nonzero()[1], minlength=counts.shape[1])
    return np.log((1.0 + documents) / (1.0 + frequency)) + 1.0


def weigh(counts: scipy.sparse.csr_matrix, idf: np.ndarray) -> scipy.sparse.csr_matrix:
    """Log counts (``1 + ln(tf)``) times idf, each row scaled to unit length."""
    weighted = scipy.sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    data = weighted.data
    positive = data > 0
    data[positive] = 1.0 + np.log(data[positive])
    data *= idf[weighted.indices]
    rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
    lengths = np.sqrt(np.bincount(rows, weights=data * data, minlength=weighted.shape[0]))
    lengths[lengths == 0.0] = 1.0
    data /= lengths[rows]
    return weighted


def sentence_matrix(messages: list[Message]) -> scipy.sparse.csr_matrix:
    """One row per message: its text's sentence features from every featurizer, side by side.

    What Rasa's ``Message.get_sparse_features`` gives, without its deep copies and without
    combining the sequence features this classifier never reads (most of its CPU time per
    message). Sparse features first, then dense ones, each in the order they were added.
    """
    data: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    row_lengths: list[int] = []
    width = None
    for message in messages:
        found = [
            feature
            for feature in message.features
            if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE
        ]
        offset = 0
        length = 0
        for feature in sorted(found, key=lambda feature: not feature.is_sparse()):
            part = scipy.sparse.coo_matrix(feature.features)
            data.append(part.data)
            columns.append(part.col + offset)
            offset += part.shape[1]
            length += part.nnz
        row_lengths.append(length)
        if width is not None and offset != width:
            raise ValueError(f"messages have {width} and {offset} features: not one pipeline")
        width = offset
    indptr = np.concatenate([[0], np.cumsum(row_lengths)])
    matrix = scipy.sparse.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0),
            np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32),
            indptr,
        ),
        shape=(len(messages), width or 0),
    )
    matrix.sum_duplicates()
    return matrix


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Intents by logistic regression over TF-IDF-weighted sparse features."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults plus ``C``, the inverse regularisation strength."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        """Rasa's classifier with ``C`` from the config."""
        super().__init__(config, name, model_storage, resource)
        self.idf: np.ndarray | None = None
        self.clf = LogisticRegression(
            C=float(self.config["C"]),
            solver=self.config["solver"],
            max_iter=self.config["max_iter"],
            class_weight="balanced",
            tol=self.config["tol"],
            random_state=self.config["random_state"],
        )

    def _create_X(self, messages: list[Message]) -> scipy.sparse.csr_matrix:
        counts = sentence_matrix(messages)
        if self.idf is None:
            return counts
        return weigh(counts, self.idf)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the idf of each feature, then the regression on the weighted features."""
        self.idf = None  # so that the training matrix comes out as plain counts
        counts, labels = self._create_training_matrix(training_data)
        self.idf = inverse_document_frequency(counts)
        self.clf.fit(weigh(counts, self.idf), labels)
        self.persist()
        return self._resource

    def persist(self) -> None:
        """The classifier as Rasa saves it, and the idf beside it."""
        super().persist()
        with self._model_storage.write_to(self._resource) as directory:
            np.save(directory / IDF_FILE, self.idf, allow_pickle=False)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfLogisticRegressionClassifier:
        """The trained classifier and its idf."""
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        assert isinstance(component, TfidfLogisticRegressionClassifier)
        try:
            with model_storage.read_from(resource) as directory:
                component.idf = np.load(directory / IDF_FILE, allow_pickle=False)
        except (ValueError, FileNotFoundError):
            # nothing was saved for this resource: Rasa's classifier loads untrained then too
            component.idf = None
        return component
