"""The staff login form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length, Regexp


class LoginForm(FlaskForm):
    # No control characters: PostgreSQL refuses a NUL in text even to look it up.
    email = EmailField(
        _l("Email"), validators=[InputRequired(), Length(max=254), Regexp(r"^[^\x00-\x1f\x7f]*$")]
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=500)])
    submit = SubmitField(_l("Log in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Log out"))
