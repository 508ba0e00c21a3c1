"""API tokens: per user and practice, acting with the user's role there. Only a hash is kept."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practices.models import Member

TOKEN_PREFIX = "cb_"


def hash_token(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough (no password stretching needed).
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(
            revoked_at__isnull=True, member__is_active=True, member__user__is_active=True
        )


class ApiToken(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    # The first characters, shown to tell tokens apart; the rest is never stored.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.member})"

    @classmethod
    def issue(cls, member: Member, name: str = "") -> tuple["ApiToken", str]:
        """A new token for `member`; returns it and the secret, shown once."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            member=member, name=name, prefix=secret[:10], key_hash=hash_token(secret)
        )
        return token, secret
