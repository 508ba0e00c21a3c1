"""Forms and the domain's refusals."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.forms import Form


def apply_errors(
    form: Form, error: ValidationError, renames: Mapping[str, str] | None = None
) -> None:
    """A service's ValidationError shown next to the field it names (`renames`: the service's
    name of a field → the form's), or above the form when the form has no such field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (renames or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)
