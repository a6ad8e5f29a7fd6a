"""Authentication for the API. Issue 4 adds bearer tokens beside the session."""

from ninja.security import SessionAuth

session_auth = SessionAuth()
