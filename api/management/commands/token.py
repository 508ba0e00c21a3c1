from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiToken
from practices.models import Member


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. `token create EMAIL` prints a new token once."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user")
        create.add_argument("email")
        create.add_argument(
            "--practice", help="Practice id or name (needed if the user has several)"
        )
        create.add_argument("--name", default="", help="What the token is for")
        listing = sub.add_parser("list", help="List a user's tokens")
        listing.add_argument("email")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _member(self, email: str, practice: str | None) -> Member:
        members = Member.objects.filter(user__email=email.lower(), is_active=True).select_related(
            "practice"
        )
        if practice:
            members = (
                members.filter(practice_id=int(practice))
                if practice.isdigit()
                else members.filter(practice__name__iexact=practice)
            )
        found = list(members[:2])
        if not found:
            raise CommandError(
                f"No active membership for {email}" + (f" in {practice}" if practice else "")
            )
        if len(found) > 1:
            names = ", ".join(f"{m.practice_id}: {m.practice}" for m in members)
            raise CommandError(f"{email} belongs to several practices; add --practice ({names})")
        return found[0]

    def _create(self, email: str, practice: str | None, name: str, **_) -> None:
        member = self._member(email, practice)
        _, secret = ApiToken.issue(member, name=name)
        self.stderr.write(
            f"Token for {member.user} ({member.get_role_display()}, {member.practice}). "
            "It is shown once; only its hash is kept."
        )
        self.stdout.write(secret)

    def _list(self, email: str, **_) -> None:
        for token in ApiToken.objects.filter(member__user__email=email.lower()).select_related(
            "member__practice"
        ):
            state = "revoked" if token.revoked_at else "active"
            self.stdout.write(
                f"{token.prefix}…  {token.member.practice}  {token.name or '-'}  {state}  "
                f"last used {token.last_used_at or 'never'}"
            )

    def _revoke(self, prefix: str, **_) -> None:
        from django.utils import timezone

        count = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not count:
            raise CommandError(f"No active token starts with {prefix}")
        self.stdout.write(f"Revoked {count} token(s).")
