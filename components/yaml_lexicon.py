"""Base for NLU components whose word lists editors keep in a YAML file under knowledge/.

The file is read when the model is trained and stored inside the model, so a trained
model carries its lists with it (no path to resolve at run time) and `make train`
retrains when the file changes (the Makefile lists it among the training inputs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file
from ruamel.yaml import YAML

LISTS_FILE = "lists.json"


class YamlLexiconComponent(GraphComponent):
    """Reads `config["file"]` at training, keeps it in the model, compiles it once at load."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"file": None}

    @staticmethod
    def required_components() -> list[type]:
        return [Tokenizer]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lists: dict[str, Any] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.lists = lists or {}
        self.compile(self.lists)

    def compile(self, lists: dict[str, Any]) -> None:
        """Turn the YAML lists into matchers; subclasses override."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> YamlLexiconComponent:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> YamlLexiconComponent:
        try:
            with model_storage.read_from(resource) as directory:
                lists = read_json_file(directory / LISTS_FILE)
        except ValueError:
            lists = {}
        return cls(config, model_storage, resource, lists)

    def train(self, training_data: TrainingData) -> Resource:
        path = Path(self._config["file"] or "")
        if not path.is_file():
            raise FileNotFoundError(f"{type(self).__name__}: word list '{path}' not found (config.yml, 'file')")
        with path.open(encoding="utf-8") as handle:
            lists = YAML(typ="safe").load(handle) or {}
        self.lists = lists
        self.compile(lists)
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / LISTS_FILE, lists)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
