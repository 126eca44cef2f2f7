"""The site's forms. Services own the rules; these forms only carry the data.

Validation that matters (lengths, formats, uniqueness) happens in the users
and blog services; their ``ValidationError.errors`` come back here and are
shown beside the matching fields by ``ServiceForm.show_service_errors``.
"""

import re
import uuid

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import InputRequired


class ServiceForm(FlaskForm):
    """A form whose fields take the error messages a service returned."""

    # service field name -> form field name, where they differ
    service_field_names = {}

    def show_service_errors(self, error):
        """Attach each ``field -> messages`` of a ValidationError to its field."""
        for service_field, messages in error.errors.items():
            field_name = self.service_field_names.get(service_field, service_field)
            field = self._fields.get(field_name)
            if field is None:
                self.form_errors.extend(f"{service_field} {m}" for m in messages)
            else:
                field.errors = list(field.errors) + list(messages)

    def show_error(self, field_name, message):
        field = self._fields[field_name]
        field.errors = list(field.errors) + [message]


class IdempotentForm(ServiceForm):
    """Carries a key made when the form is shown, so a double submit saves once."""

    idempotency_key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.idempotency_key.data:
            self.idempotency_key.data = uuid.uuid4().hex


class RegisterForm(ServiceForm):
    username = StringField("Username")
    email = StringField("Email")
    password = PasswordField("Password")


class LoginForm(ServiceForm):
    email = StringField("Email", validators=[InputRequired("Enter your email.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])


class ArticleForm(IdempotentForm):
    service_field_names = {"tag_list": "tags"}

    title = StringField("Title")
    description = StringField("What's this article about?")
    body = TextAreaField("Write your article (in Markdown)")
    tags = StringField("Tags")

    def article_fields(self):
        return {
            "title": self.title.data or "",
            "description": self.description.data or "",
            "body": self.body.data or "",
            "tag_list": parse_tags(self.tags.data),
        }


class CommentForm(IdempotentForm):
    body = TextAreaField("Write a comment…")


class SettingsForm(ServiceForm):
    image = StringField("URL of profile picture")
    username = StringField("Username")
    bio = TextAreaField("Short bio about you")
    email = StringField("Email")
    password = PasswordField("New password")
    current_password = PasswordField("Current password")

    def changes_from(self, user):
        """Only what the user changed; empty picture or bio means none, empty password keeps it."""
        wanted = {
            "image": (self.image.data or "").strip() or None,
            "username": (self.username.data or "").strip(),
            "bio": (self.bio.data or "").strip() or None,
            "email": (self.email.data or "").strip(),
        }
        changes = {key: value for key, value in wanted.items() if value != user.get(key)}
        if self.password.data:
            changes["password"] = self.password.data
        return changes


def parse_tags(text):
    """Split tags typed as ``python, web flask`` into a list without repeats."""
    tags = [tag for tag in re.split(r"[,\s]+", text or "") if tag]
    return list(dict.fromkeys(tags))
