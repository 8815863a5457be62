"""``MessageShapeFeaturizer``: the shape of a message (``message_shape``) as sparse features.

Its values are read with the regexes and lookup tables named after an entity in the training
data (``case_ref``, ``email``, ``phone``, ``priority``), the same ones the entity extractor uses.
The first and last words it knows are those that start or end at least two training examples.
Only sentence features are made: the intent classifier reads whole messages.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import rasa.nlu.utils.pattern_utils as pattern_utils
import rasa.shared.utils.io
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.message_shape import EdgeWords, edge_vocabulary, shape, value_spans

TRAINED_FILE = "shape.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class MessageShapeFeaturizer(SparseFeaturizer, GraphComponent):
    """Adds word-count features (in all, and outside the message's values) and edge words."""

    @classmethod
    def required_components(cls) -> list[type]:
        """A tokenizer runs first: words are counted in its tokens."""
        return [Tokenizer]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        patterns: list[str] | None = None,
        edges: EdgeWords | None = None,
    ) -> None:
        """A featurizer that finds values with ``patterns`` (regex sources)."""
        super().__init__(execution_context.node_name, {**self.get_default_config(), **config})
        self._model_storage = model_storage
        self._resource = resource
        self._patterns = list(patterns or [])
        self._compiled = [re.compile(pattern, re.IGNORECASE) for pattern in self._patterns]
        self._edges = edges or EdgeWords([], [])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageShapeFeaturizer:
        """A featurizer not trained yet."""
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MessageShapeFeaturizer:
        """The featurizer with the value patterns and edge words it was trained with."""
        with model_storage.read_from(resource) as directory:
            trained = rasa.shared.utils.io.read_json_file(directory / TRAINED_FILE)
        edges = EdgeWords(trained["first_words"], trained["last_words"])
        return cls(config, model_storage, resource, execution_context, trained["patterns"], edges)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the regexes and lookup tables named after an entity, and the usual edge words."""
        found = pattern_utils.extract_patterns(training_data, use_only_entities=True)
        self._patterns = [found_pattern["pattern"] for found_pattern in found]
        self._compiled = [re.compile(pattern, re.IGNORECASE) for pattern in self._patterns]
        self._edges = EdgeWords(
            *edge_vocabulary(
                [token.text for token in example.get(TOKENS_NAMES[TEXT]) or []]
                for example in training_data.intent_examples
            )
        )
        trained = {
            "patterns": self._patterns,
            "first_words": self._edges.first,
            "last_words": self._edges.last,
        }
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(directory / TRAINED_FILE, trained)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize every training example that has text."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the shape and edge words of each message's text as its sentence features."""
        for message in messages:
            text = message.get(TEXT)
            tokens = message.get(TOKENS_NAMES[TEXT])
            if not text or tokens is None:
                continue
            features = shape(
                [(token.start, token.end) for token in tokens],
                value_spans(text, self._compiled),
            ) + self._edges.features([token.text for token in tokens])
            sentence = scipy.sparse.coo_matrix(np.array([features], dtype=np.float32))
            self.add_features_to_message(None, sentence, TEXT, message)
        return messages

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to check: the featurizer has no settings of its own."""
