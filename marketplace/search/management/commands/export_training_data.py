"""Export the site's listings as a training dataset folder for `vision.train`.

    manage.py export_training_data OUT_DIR [--since YYYY-MM-DD] [--only-confirmed]

Writes OUT_DIR/photos/<photo id>.jpg (display renditions: no EXIF/GPS), OUT_DIR/manifest.jsonl
(one line per photo: listing id, title, description, the seller's category and confirmed tags)
and OUT_DIR/export.json. Excluded: listings the seller removed, listings hidden by moderators,
listings of deactivated accounts, and photos not processed (pending or failed). Train on it with
`python -m vision.train vision/configs/marketplace.yaml`.
"""
from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from marketplace.search import selectors, services


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("out_dir", help="folder to write (new, or an earlier export)")
        parser.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="only listings with seller activity since this day")
        parser.add_argument("--only-confirmed", action="store_true",
                            help="only listings whose seller answered a model suggestion")

    def handle(self, *args, out_dir: str, since: date | None, only_confirmed: bool, **options):
        start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
        listings = selectors.training_listings(since=start, only_confirmed=only_confirmed)
        filters = {"since": since.isoformat() if since else None,
                   "only_confirmed": only_confirmed}
        try:
            export = services.export_training_data(
                out_dir, listings, filters=filters,
                progress=lambda items, total: tqdm(items, total=total, unit="listing",
                                                   file=self.stderr))
        except ValueError as error:
            raise CommandError(str(error)) from None
        if export.unreadable:
            self.stderr.write(f"Skipped {len(export.unreadable)} photo(s) whose rendition could "
                              f"not be read: {export.unreadable[:20]}")
        self.stdout.write(self.style.SUCCESS(
            f"Exported {export.photos} photo(s) of {export.listings} listing(s) to {out_dir}."))
