"""Re-embed every photo with the current model, then switch searches to it.

Resumable: photos that already have an analysis by this model version are skipped, so an
interrupted run continues where it stopped. Searches keep using the previously active version
until the final switch, a single-row update.
"""
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from marketplace.photos.models import Photo
from marketplace.search import selectors, services
from marketplace.search.engine import get_engine
from marketplace.search.models import ListingVector, PhotoAnalysis


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=32)
        parser.add_argument("--weights", help="trained layers of the new model (default: the "
                                              "shipped ones, i.e. the model this code runs)")
        parser.add_argument("--no-switch", action="store_true",
                            help="fill the new version's vectors but keep serving the old ones")
        parser.add_argument("--prune", action="store_true",
                            help="after the switch, delete other versions' analyses and vectors")

    def handle(self, *args, batch_size: int, weights: str | None, no_switch: bool, prune: bool,
               **options):
        if weights:
            from vision.engine import Engine

            try:
                engine = Engine(weights=weights)
            except FileNotFoundError as error:  # a typo must not re-embed (and prune) everything
                raise CommandError(str(error)) from error
        else:
            engine = get_engine()
        version = engine.model_version
        previous = selectors.active_model_version()
        todo = list(Photo.objects.exclude(analyses__model_version=version)
                    .order_by("pk").values_list("pk", flat=True))
        self.stdout.write(f"Model {version}: {len(todo)} photo(s) to analyse "
                          f"(serving {previous or 'nothing yet'} meanwhile).")
        with tqdm(total=len(todo), unit="photo", file=self.stderr) as progress:
            for start in range(0, len(todo), batch_size):
                batch = todo[start:start + batch_size]
                services.analyse_photos(batch, engine, batch_size=batch_size)
                progress.update(len(batch))
        if no_switch:
            self.stdout.write("Not switched (--no-switch).")
            return
        services.activate_model_version(version)
        self.stdout.write(self.style.SUCCESS(f"Searches now use {version}."))
        if prune:
            deleted = (PhotoAnalysis.objects.exclude(model_version=version).delete()[0]
                       + ListingVector.objects.exclude(model_version=version).delete()[0])
            self.stdout.write(f"Pruned {deleted} row(s) of older versions.")
