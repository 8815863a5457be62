"""Runs casebot's NLU components inside the Rasa environment and prints what they did as JSON.

    .venv-rasa/bin/python tests/support/nlu_components_run.py

Rasa lives in its own Python 3.10 environment, so the tests (in the other one) run this script
and assert on its output: the shape features of some messages, and a classifier's intent
ranking before it is saved and after it is loaded back from the model storage.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.classifiers.logistic_regression_classifier import (  # noqa: E402
    LogisticRegressionClassifier,
)
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (  # noqa: E402
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from sklearn.feature_extraction.text import TfidfTransformer  # noqa: E402

from bot.components.classifiers import (  # noqa: E402
    TfidfLogisticRegressionClassifier,
    inverse_document_frequency,
    sentence_matrix,
    weigh,
)
from bot.components.featurizers import MessageShapeFeaturizer  # noqa: E402

EXAMPLES = {
    "inform": ["C-1001", "case C-2002", "it is C-3003", "ref C-4004 please", "high", "urgent"],
    "check_case_status": [
        "what is the status of my case C-5005",
        "any news about the case I opened last week",
        "what happened to ticket C-6006",
        "where is my case at",
    ],
    "greet": ["hello", "hi there", "good morning", "hey"],
}
PROBES = ["ticket C-7007", "what is happening with case C-8008 these days", "hello there"]


def context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=name)


def pipeline(storage: LocalModelStorage) -> tuple[list[Any], TrainingData]:
    """Tokenizer and featurizers, trained on EXAMPLES with a case_ref regex and a lookup."""
    messages = [
        Message(data={TEXT: text, "intent": intent})
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    data = TrainingData(
        training_examples=messages,
        regex_features=[{"name": "case_ref", "pattern": r"\bC-\d{4}\b"}],
        lookup_tables=[{"name": "priority", "elements": ["high", "urgent", "low"]}],
        entity_synonyms={},
    )
    # the regex and lookup count as values only when named after an entity of the data
    data.training_examples[0].data["entities"] = [
        {"start": 0, "end": 6, "value": "C-1001", "entity": "case_ref"}
    ]
    data.training_examples[4].data["entities"] = [
        {"start": 0, "end": 4, "value": "high", "entity": "priority"}
    ]
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    shape = MessageShapeFeaturizer.create({}, storage, Resource("shape"), context("shape"))
    words = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("words"), context("words")
    )
    tokenizer.process_training_data(data)
    shape.train(data)
    words.train(data)
    shape.process_training_data(data)
    words.process_training_data(data)
    return [tokenizer, shape, words], data


def featurize(steps: list[Any], texts: list[str]) -> list[Message]:
    messages = [Message(data={TEXT: text}) for text in texts]
    for step in steps:
        step.process(messages)
    return messages


def ranking(message: Message) -> dict[str, float]:
    return {entry["name"]: entry["confidence"] for entry in message.get("intent_ranking")}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalModelStorage(Path(tmp))
        steps, data = pipeline(storage)
        tokenizer = steps[0]
        loaded_shape = MessageShapeFeaturizer.load({}, storage, Resource("shape"), context("s"))
        shapes = {}
        for message in featurize(
            [tokenizer, loaded_shape],
            ["C-1001", "case C-2002", "hi", "the status of C-5005 please", "What about C-5005"],
        ):
            sentence = message.get_sparse_features(TEXT)[1]
            shapes[message.get(TEXT)] = sentence.features.toarray()[0].tolist()

        config = {**TfidfLogisticRegressionClassifier.get_default_config(), "C": 30.0}
        trained = TfidfLogisticRegressionClassifier.create(
            config, storage, Resource("intents"), context("intents")
        )
        trained.train(data)
        before = [ranking(m) for m in trained.process(featurize(steps, PROBES))]
        loaded = TfidfLogisticRegressionClassifier.load(
            config, storage, Resource("intents"), context("intents")
        )
        after = [ranking(m) for m in loaded.process(featurize(steps, PROBES))]
        # Rasa's own way of putting a message's sentence features together, for comparison
        texts = [*PROBES, *(text for texts in EXAMPLES.values() for text in texts)]
        counts = sentence_matrix(featurize(steps, texts))
        ours = counts.toarray()
        rasas = LogisticRegressionClassifier._create_X(loaded, featurize(steps, texts)).toarray()
        sklearns = TfidfTransformer(sublinear_tf=True).fit(counts).transform(counts).toarray()
        weighted = weigh(counts, inverse_document_frequency(counts)).toarray()
    json.dump(
        {
            "shapes": shapes,
            "probes": PROBES,
            "before": before,
            "after": after,
            "idf_features": len(loaded.idf) if loaded.idf is not None else None,
            "sentence_matrix_shape": list(ours.shape),
            "sentence_matrix_as_rasas": ours.shape == rasas.shape and bool((ours == rasas).all()),
            "weighted_as_sklearn": bool(np.allclose(weighted, sklearns)),
            "weighted_row_lengths": np.linalg.norm(weighted, axis=1).round(9).tolist(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
