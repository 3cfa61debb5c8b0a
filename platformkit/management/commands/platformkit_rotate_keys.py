"""Re-encrypt every stored secret under the first of ``PLATFORMKIT["ENCRYPTION_KEYS"]``.

Safe to run while the site serves: rows are read in primary-key batches and each is written
back only if it still holds the ciphertext that was read (a concurrent change wins). Rows the
first key already opens are skipped, so a second run changes nothing. After a clean run the
old keys can be removed from the settings.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from platformkit import crypto


class Command(BaseCommand):
    help = "Re-encrypt stored platformkit secrets with the first ENCRYPTION_KEYS entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")

    def handle(self, *args: Any, batch_size: int, dry_run: bool, **options: Any) -> None:
        totals = {"rotated": 0, "current": 0, "unreadable": 0}
        for model_label, field in crypto.ENCRYPTED_FIELDS:
            counts = self._rotate_field(apps.get_model(model_label), field, batch_size, dry_run)
            self.stdout.write(
                f"{model_label}.{field}: {counts['rotated']} re-encrypted, "
                f"{counts['current']} already current, {counts['unreadable']} unreadable"
            )
            for key, value in counts.items():
                totals[key] += value
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {totals['rotated']}, {totals['current']} already current"))
        if totals["unreadable"]:
            raise CommandError(
                f"{totals['unreadable']} value(s) open with none of the configured keys: "
                "keep every old key in ENCRYPTION_KEYS until they are found."
            )

    def _rotate_field(self, model: Any, field: str, batch_size: int, dry_run: bool) -> dict[str, int]:
        counts = {"rotated": 0, "current": 0, "unreadable": 0}
        last_pk: Any = None
        while True:
            rows = model.objects.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.values_list("pk", field)[:batch_size])
            if not batch:
                return counts
            last_pk = batch[-1][0]
            for pk, token in batch:
                if not token or crypto.is_current(token):
                    counts["current"] += 1
                    continue
                try:
                    rotated = crypto.rotate(token)
                except crypto.InvalidToken:
                    counts["unreadable"] += 1
                    continue
                if not dry_run:
                    model.objects.filter(pk=pk, **{field: token}).update(**{field: rotated})
                counts["rotated"] += 1
