"""Query strings: each parameter at most once.

A repeated parameter (``?offset=10&offset=0``) would otherwise count by its
last value, silently; the schema says each is one value, so a repeat is a 400
that names the parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from motcua.core.errors import ValidationFailed

REPEATED = _("Give this parameter once.")


def repeated_parameters(query: QueryDict, names: Iterable[str]) -> list[str]:
    """Return those of ``names`` given more than once in ``query``."""
    return [name for name in names if len(query.getlist(name)) > 1]


def refuse_repeated(query: QueryDict, names: Iterable[str]) -> None:
    """Raise ValidationFailed naming each of ``names`` given more than once."""
    repeated = repeated_parameters(query, names)
    if repeated:
        raise ValidationFailed(REPEATED, field_errors={name: [REPEATED] for name in repeated})


class QuerySerializer(serializers.Serializer[Any]):
    """A serializer of query parameters: each single-valued field given at most once."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, QueryDict):
            single = [
                name
                for name, field in self.fields.items()
                if not isinstance(field, serializers.ListField | serializers.MultipleChoiceField)
            ]
            repeated = repeated_parameters(data, single)
            if repeated:
                raise serializers.ValidationError({name: [REPEATED] for name in repeated})
        return super().to_internal_value(data)
