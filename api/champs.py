"""Fields of the JSON bodies that take the type the schema says, and that one only.

DRF's fields are lenient, as an HTML form needs: a CharField takes 12 and makes it "12", an IntegerField
takes "12", a BooleanField takes "yes" or 1. The schema promises a string, an integer, a boolean: a body
of another type is refused (a 400 problem), as a client reading the schema expects.
"""

from rest_framework import serializers


class Texte(serializers.CharField):
    default_error_messages = {
        **serializers.CharField.default_error_messages,
        "invalid": "Indiquez une chaîne de caractères.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TexteMotif(serializers.RegexField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Indiquez une chaîne de caractères.", code="invalid")
        return super().to_internal_value(data)


class Entier(serializers.IntegerField):
    default_error_messages = {
        **serializers.IntegerField.default_error_messages,
        "invalid": "Indiquez un nombre entier.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class Booleen(serializers.BooleanField):
    default_error_messages = {
        **serializers.BooleanField.default_error_messages,
        "invalid": "Indiquez true ou false.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
