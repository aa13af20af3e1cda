"""Uploaded files (S3): the only module that talks to S3."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handover.errors import DependencyUnavailable
from handover.jobs.imports import Readable


class UploadBucket:
    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self.bucket = bucket

    def upload_url(self, key: str, seconds: int) -> str:
        """A pre-signed PUT for `key`. Nothing but the host is signed, so a plain `curl -T file <url>`
        works; the bucket encrypts by default."""
        url: str = self._s3.generate_presigned_url("put_object", Params={"Bucket": self.bucket, "Key": key},
                                                   ExpiresIn=seconds, HttpMethod="PUT")
        return url

    def open(self, key: str) -> Readable:
        """The object's body, to be read as a stream."""
        try:
            body: Readable = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        except (ClientError, BotoCoreError):
            raise DependencyUnavailable() from None
        return body
