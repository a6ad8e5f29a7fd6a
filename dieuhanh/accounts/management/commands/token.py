"""`dieuhanh token create --user USER [--scopes orgunits:read,...] [--expires DAYS]`"""

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from dieuhanh.accounts.models import ApiToken, User
from dieuhanh.accounts.services import create_token, parse_scopes, revoke_token
from dieuhanh.core.audit import audit_channel


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new token (shown once)")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="")
        create.add_argument(
            "--scopes", default="*:read", help="comma-separated module:read|write (*:read)"
        )
        create.add_argument("--expires", type=int, default=90, help="days; 0 for never")
        listing = sub.add_parser("list", help="the tokens of a user")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        with audit_channel("command"):
            if action == "create":
                user = self._user(options["user"])
                try:
                    scopes = parse_scopes(options["scopes"])
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from error
                _token, secret = create_token(
                    None,
                    user,
                    options["name"] or "command line",
                    scopes,
                    options["expires"] or None,
                )
                self.stdout.write(secret)
            elif action == "list":
                for token in self._user(options["user"]).api_tokens.all():
                    state = "active" if token.is_active() else "inactive"
                    self.stdout.write(
                        f"{token.prefix}…  {token.name}  {','.join(token.scopes)}  "
                        f"expires {token.expires_at or 'never'}  {state}"
                    )
            else:
                token = ApiToken.objects.filter(prefix=options["prefix"][:11]).first()
                if token is None:
                    raise CommandError(f"no token with prefix {options['prefix']}")
                revoke_token(None, token)
                self.stdout.write(f"revoked {token.prefix}…")

    def _user(self, username):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username}")
        return user
