"""Stop buffering a photo upload as soon as it is over the limits.

Django would otherwise spool every file to a temporary file before any check runs, so a
multi-gigabyte upload, or a hundred files at once, could fill the disk. Installed first by the
views that take listing photos or a search photo: the seller's photo manager and photo API and
the buyer's photo search (web and API), which all ask `upload_refusal` before looking at the
files. Not by the spin uploads (a video or a photo burst): they are refused by their
Content-Length (SPIN_UPLOAD_MAX_BYTES) before the body is read.
"""
from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class OversizedUpload(UploadedFile):
    """What is left of a file that passed the limit: its name and real size, no content."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def read(self, *args) -> bytes:
        return b""

    def seek(self, *args) -> int:
        return 0


class PhotoUploadLimitHandler(FileUploadHandler):
    """Counts each file's bytes; past PHOTO_MAX_BYTES it passes no more to the next handlers
    and finally hands over an `OversizedUpload`, which validation refuses by its size.

    Per request, a file beyond PHOTOS_PER_LISTING or a byte beyond PHOTO_UPLOAD_MAX_BYTES (not
    counting the bytes of a file past PHOTO_MAX_BYTES, which are dropped) stops the upload there
    (the rest of the body is read and dropped) and leaves `refusal`, a sentence for the user.
    The files already received may be whole, so the view must refuse the request with it rather
    than store or search them: a seller's upload is stored entirely or not at all.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.files = 0
        self.total = 0
        self.refusal: str | None = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.files += 1
        if self.files > settings.PHOTOS_PER_LISTING:
            self.refuse(f"Upload at most {settings.PHOTOS_PER_LISTING} photos at once (a "
                        f"listing has at most {settings.PHOTOS_PER_LISTING}). Nothing was saved.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.PHOTO_MAX_BYTES:
            return None  # dropped, so not counted in the request's total: validation refuses it
        self.total += len(raw_data)
        if self.total > settings.PHOTO_UPLOAD_MAX_BYTES:
            self.refuse(f"One upload may carry at most "
                        f"{filesizeformat(settings.PHOTO_UPLOAD_MAX_BYTES)} of photos; choose "
                        f"fewer at a time. Nothing was saved.")
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= settings.PHOTO_MAX_BYTES:
            return None  # the next handler (memory or temporary file) has the whole file
        return OversizedUpload(self.file_name, self.content_type, self.received)

    def refuse(self, message: str) -> None:
        self.refusal = message
        raise StopUpload(connection_reset=False)


def limit_photo_upload(request) -> None:
    """Must run before anything reads request.POST/FILES."""
    request.upload_handlers.insert(0, PhotoUploadLimitHandler(request))


def upload_refusal(request) -> str | None:
    """Why the photo upload in `request` was stopped before its end, if it was (read once the
    body has been parsed)."""
    return next((handler.refusal for handler in request.upload_handlers
                 if isinstance(handler, PhotoUploadLimitHandler)), None)


def photo_upload_view(view):
    """A CSRF-protected web view whose uploads stop at the size limit.

    The CSRF check reads (and stores) the body, so the limit has to be in place before it: the
    middleware's check is skipped and the same check runs after the limit is installed.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def limited(request, *args, **kwargs):
        limit_photo_upload(request)
        return protected(request, *args, **kwargs)

    return limited


class PhotoUploadLimitMixin:
    """For an API view taking photos: the limit is installed before authentication (whose CSRF
    check reads the body) or the parsers run."""

    def initialize_request(self, request, *args, **kwargs):
        limit_photo_upload(request)
        return super().initialize_request(request, *args, **kwargs)
