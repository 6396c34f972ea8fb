"""Print a new Ed25519 private key for ``CONSULT["SIGNING_KEY"]``.

The key goes into the site's settings (or the environment they read), never
into the database. Keep it as secret as ``SECRET_KEY``; publish the public key
(also served at ``api/v1/keys/``) so readers can pin it when they verify.
"""

from django.core.management.base import BaseCommand

from consult.ledger import signing


class Command(BaseCommand):
    help = "Print a new signing key for results bundles (CONSULT['SIGNING_KEY'])."

    def handle(self, *args, **options):
        key = signing.new_key_text()
        self.stdout.write(key)
        self.stderr.write(
            "Put it in CONSULT['SIGNING_KEY'], kept as secret as SECRET_KEY. Changing it "
            "later changes the public key readers check bundles against."
        )
