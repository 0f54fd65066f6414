"""Stop buffering an uploaded photo as soon as it is over the size limit.

Django would otherwise spool the whole file to a temporary file before any check runs, so a
multi-gigabyte upload could fill the disk. Installed first by every view that takes a photo:
the seller's photo manager and photo API, and the buyer's photo search (web and API).
"""
from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class OversizedUpload(UploadedFile):
    """What is left of a file that passed the limit: its name and real size, no content."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def read(self, *args) -> bytes:
        return b""

    def seek(self, *args) -> int:
        return 0


class PhotoSizeLimitHandler(FileUploadHandler):
    """Counts each file's bytes; past PHOTO_MAX_BYTES it passes no more to the next handlers
    and finally hands over an `OversizedUpload`, which validation refuses by its size."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return raw_data if self.received <= settings.PHOTO_MAX_BYTES else None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= settings.PHOTO_MAX_BYTES:
            return None  # the next handler (memory or temporary file) has the whole file
        return OversizedUpload(self.file_name, self.content_type, self.received)


def limit_photo_upload_size(request) -> None:
    """Must run before anything reads request.POST/FILES."""
    request.upload_handlers.insert(0, PhotoSizeLimitHandler(request))


def photo_upload_view(view):
    """A CSRF-protected web view whose uploads stop at the size limit.

    The CSRF check reads (and stores) the body, so the limit has to be in place before it: the
    middleware's check is skipped and the same check runs after the limit is installed.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def limited(request, *args, **kwargs):
        limit_photo_upload_size(request)
        return protected(request, *args, **kwargs)

    return limited


class PhotoUploadLimitMixin:
    """For an API view taking photos: the limit is installed before authentication (whose CSRF
    check reads the body) or the parsers run."""

    def initialize_request(self, request, *args, **kwargs):
        limit_photo_upload_size(request)
        return super().initialize_request(request, *args, **kwargs)
