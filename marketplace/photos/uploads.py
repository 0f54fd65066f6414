"""Stop buffering an uploaded photo as soon as it is over the size limit.

Django would otherwise spool the whole file to a temporary file before any check runs, so a
multi-gigabyte upload could fill the disk. Installed first by the photo upload views.
"""
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


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
