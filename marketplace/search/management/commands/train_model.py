"""`manage.py train_model CONFIG`: train the vision model (a thin wrapper of vision.train)."""
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Train the GrokNet-style vision layers from a YAML config (see vision/configs/)."

    def add_arguments(self, parser):
        parser.add_argument("config", help="path to the YAML training config")

    def handle(self, *args, **options):
        from vision.train import main

        main([options["config"]])
