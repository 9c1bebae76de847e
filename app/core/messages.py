"""Messages a person reads that the GUI shows in its own language: `Text(template, **values)`.

A Text is the English string the template gives with its values filled in, so the CLI, logs and events print it like
any str; it also keeps the template and the values, so the GUI (app.ui.i18n.core_text) translates the template under
the context "core" and fills the same values in. The templates are the message ids: packaging/i18n_update.py finds
every `Text("…", …)` in app/core and puts its template in the translation sources. Values that are Texts are
translated too (also in an event, where they travel as templates); numbers, paths and names are left as they are.
`joined(separator, texts)` is a Text of several (a list of problems), each translated. A value that is a `Term` (a
stage's or method's title) is shown as the schema's translations name it.
"""

from __future__ import annotations

from typing import Any


class Term(str):
    """A name the translations hold under the context "Schema" (a stage's or method's title, as the cards show it):
    a Text's value the window shows translated, the CLI as it is, or as `shown` ("reward model" in a sentence)."""

    key: str

    def __new__(cls, key: str, shown: str | None = None) -> Term:
        term = super().__new__(cls, key if shown is None else shown)
        term.key = key
        return term

    def __reduce__(self):
        return Term, (self.key, str(self))


class Text(str):
    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Text:
        text = super().__new__(cls, template.format(**params) if params else template)
        text.template = template
        text.params = params
        return text

    def __reduce__(self):  # pickled (a multiprocessing queue) as what it is, not as a bare str
        return _rebuild, (self.template, self.params)

    def to_json(self) -> dict:
        """{"template", "values"} for an event: values that are Texts travel as their own {"template", "values"},
        values that are not JSON scalars as their text."""
        values = {key: value.to_json() if isinstance(value, Text) else {"term": value.key, "shown": str(value)} if isinstance(value, Term)
                  else value if isinstance(value, (int, float, bool)) or value is None else str(value)
                  for key, value in self.params.items()}
        return {"template": self.template, "values": values}

    @classmethod
    def from_json(cls, data: dict) -> Text:
        values = {key: (Term(value["term"], value.get("shown")) if "term" in value else cls.from_json(value)) if isinstance(value, dict)
                  else value for key, value in data.get("values", {}).items()}
        return cls(data["template"], **values)


def joined(separator: str, texts: list) -> Text:
    """`texts` joined by `separator`, as a Text whose values are the texts (so the window translates each one)."""
    names = [f"part{i}" for i in range(len(texts))]
    template = separator.replace("{", "{{").replace("}", "}}").join("{" + name + "}" for name in names)
    return Text(template, **dict(zip(names, texts, strict=True)))


def _rebuild(template: str, params: dict[str, Any]) -> Text:
    return Text(template, **params)
