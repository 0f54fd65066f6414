from django.core.management.base import BaseCommand

from marketplace.photos.services import requeue_pending_photos


class Command(BaseCommand):
    help = ("Queue the rendition task again for every photo still pending (workers also do "
            "this when they start).")

    def handle(self, *args, **options):
        count = requeue_pending_photos()
        self.stdout.write(f"Requeued {count} pending photo(s).")
